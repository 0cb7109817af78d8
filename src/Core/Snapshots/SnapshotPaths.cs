using System.Runtime.InteropServices;
using ParallelDiff.Core.Fs;

namespace ParallelDiff.Core.Snapshots;

/// <summary>Checks and canonicalises the directories a snapshot is made of.</summary>
public static partial class SnapshotPaths
{
    /// <summary>
    /// The canonical absolute path of an existing directory (symbolic links resolved once, here),
    /// so that every later open can refuse to follow any link. Errors name the role and the path.
    /// </summary>
    public static byte[] CanonicalDirectory(string path, string role) => CanonicalDirectory(path, role, out _, forReading: false, out _);

    /// <inheritdoc cref="CanonicalDirectory(string, string)"/>
    /// <param name="status">The directory's lstat, taken here: a caller that prints the tree needs no second one.</param>
    /// <param name="directory">
    /// The directory opened for reading, when its path had no link in it (the descriptor that
    /// showed it, O_RDONLY | O_DIRECTORY); -1 when it had to be resolved. A caller that lists it
    /// next (a --cache print) need not open it again; the caller closes it.
    /// </param>
    public static byte[] OpenCanonicalDirectory(string path, string role, out FileStatus status, out int directory) =>
        CanonicalDirectory(path, role, out status, forReading: true, out directory);

    private static byte[] CanonicalDirectory(string path, string role, out FileStatus status, bool forReading, out int directory)
    {
        directory = -1;
        if (string.IsNullOrEmpty(path))
        {
            throw new SnapshotException($"{role}: empty path");
        }

        var full = Path.GetFullPath(path);
        if (WithoutLinks(full, forReading, out var unlinked, out status, out directory))
        {
            return status.IsDirectory ? unlinked : throw new SnapshotException($"{role} {full}: not a directory");
        }

        var resolved = RealPath(full) ?? throw new SnapshotException($"{role} {full}: {Errno.Describe(Marshal.GetLastPInvokeError())}");
        if (!LinuxFileSystem.Instance.TryLstat(resolved, out var st, out var errno))
        {
            throw new SnapshotException($"{role} {full}: {Errno.Describe(errno)}");
        }

        if (!st.IsDirectory)
        {
            throw new SnapshotException($"{role} {full}: not a directory");
        }

        status = st;
        return resolved;
    }

    /// <summary>
    /// The path as given when no component of it is a symbolic link (openat2 RESOLVE_NO_SYMLINKS
    /// opens it), with its status from the same descriptor: then it is already canonical, and costs
    /// an open, a statx and a close, where resolving it also read /proc and took an lstat by path (a
    /// call in every snapshot of a bulk export). False for anything else (a link on the way, a
    /// missing path), which <see cref="RealPath"/> then resolves or reports.
    /// </summary>
    /// <param name="forReading">Open it O_RDONLY | O_DIRECTORY and hand the descriptor back in <paramref name="kept"/> (a file then fails here with ENOTDIR, and is reported by the resolving path).</param>
    private static unsafe bool WithoutLinks(string full, bool forReading, out byte[] path, out FileStatus status, out int kept)
    {
        path = PathBytes.FromString(Path.TrimEndingDirectorySeparator(full));
        status = default;
        kept = -1;
        var flags = forReading ? Native.LibC.O_RDONLY | Native.LibC.O_DIRECTORY | Native.LibC.O_CLOEXEC : Native.LibC.O_PATH | Native.LibC.O_CLOEXEC;
        var fd = (int)Native.LibC.OpenAt2(Native.LibC.AT_FDCWD, path, (ulong)flags, Native.LibC.RESOLVE_NO_SYMLINKS | Native.LibC.RESOLVE_NO_MAGICLINKS);
        if (fd < 0)
        {
            return false;
        }

        if (!LinuxFileSystem.TryStatDescriptor(fd, out status, out _))
        {
            Native.LibC.Close(fd);
            return false;
        }

        if (forReading)
        {
            kept = fd;
        }
        else
        {
            Native.LibC.Close(fd);
        }

        return true;
    }

    /// <summary>
    /// The path with every symbolic link resolved, or null with the errno set. The kernel's own
    /// answer first: the path opened O_PATH and its /proc/self/fd entry read, three calls whatever
    /// its depth, where glibc's realpath reads each component as a link (45 calls a job in a bulk
    /// export of snapshots ten directories deep, its upper and lower each canonicalised twice).
    /// glibc's realpath when /proc cannot say (not mounted, a deleted directory).
    /// </summary>
    private static unsafe byte[]? RealPath(string path)
    {
        var bytes = PathBytes.FromString(path);
        using (var c = new Native.CPath(bytes))
        {
            var fd = Native.LibC.OpenAt(Native.LibC.AT_FDCWD, c.Pointer, Native.LibC.O_PATH | Native.LibC.O_CLOEXEC, 0);
            if (fd >= 0)
            {
                try
                {
                    if (ProcFdTarget(fd) is { } target)
                    {
                        return target;
                    }
                }
                finally
                {
                    Native.LibC.Close(fd);
                }
            }
        }

        return GlibcRealPath(bytes);
    }

    private static unsafe byte[]? ProcFdTarget(int fd)
    {
        var link = PathBytes.FromString($"/proc/self/fd/{fd}");
        using var c = new Native.CPath(link);
        // On the stack: two canonical paths a snapshot, 4 KiB each, were a share of a warm export's garbage.
        Span<byte> buffer = stackalloc byte[4096];
        nint n;
        fixed (byte* b = buffer)
        {
            n = Native.LibC.ReadLinkAt(Native.LibC.AT_FDCWD, c.Pointer, b, (nuint)buffer.Length);
        }

        // Only an absolute path that is whole and names a directory still there is the answer.
        if (n <= 0 || n >= buffer.Length || buffer[0] != (byte)'/' || buffer[..(int)n].EndsWith(" (deleted)"u8))
        {
            return null;
        }

        return buffer[..(int)n].ToArray();
    }

    private static unsafe byte[]? GlibcRealPath(byte[] bytes)
    {
        using var c = new Native.CPath(bytes);
        var result = RealPathNative(c.Pointer, null);
        if (result == null)
        {
            return null;
        }

        try
        {
            return MemoryMarshal.CreateReadOnlySpanFromNullTerminated(result).ToArray();
        }
        finally
        {
            Free(result);
        }
    }

    [LibraryImport("libc", EntryPoint = "realpath", SetLastError = true)]
    private static unsafe partial byte* RealPathNative(byte* path, byte* resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static unsafe partial void Free(byte* pointer);
}
