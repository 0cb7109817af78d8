using System.Text;
using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Fs;

/// <summary>
/// Marks a cache entry as just used by moving its mtime to now: the --cache directory's least
/// recently used entries are the ones it trims first (Export.CacheTrim).
/// </summary>
internal static class RecentUse
{
    // utimensat(2)'s special nanosecond values: the kernel's clock, and "leave this time alone".
    private const long UtimeNow = (1L << 30) - 1;
    private const long UtimeOmit = (1L << 30) - 2;

    /// <summary>
    /// One utimensat: mtime to the kernel's now, atime untouched (File.SetLastWriteTimeUtc reads the
    /// file's times first to keep its atime, a call more per entry of a warm export).
    /// </summary>
    public static unsafe void Mark(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var c = new CPath(Encoding.UTF8.GetBytes(path));
        var times = stackalloc LibC.Timespec[2];
        SetNow(times);

        // A failure (evicted meanwhile, a read-only cache) is not reported: the entry was read whole
        // all the same; only the eviction order does not learn of it.
        _ = LibC.UtimensAt(LibC.AT_FDCWD, c.Pointer, times, 0);
    }

    /// <summary>As <see cref="Mark(string)"/>, for the entry <paramref name="name"/> of an open directory.</summary>
    public static unsafe void Mark(DirectoryHandle directory, ReadOnlySpan<char> name)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var times = stackalloc LibC.Timespec[2];
        SetNow(times);
        _ = directory.TrySetTimes(name, times);
    }

    private static unsafe void SetNow(LibC.Timespec* times)
    {
        times[0] = new LibC.Timespec { Seconds = 0, Nanoseconds = UtimeOmit };
        times[1] = new LibC.Timespec { Seconds = 0, Nanoseconds = UtimeNow };
    }
}
