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
    public static byte[] CanonicalDirectory(string path, string role)
    {
        if (string.IsNullOrEmpty(path))
        {
            throw new SnapshotException($"{role}: empty path");
        }

        var full = Path.GetFullPath(path);
        var resolved = RealPath(full) ?? throw new SnapshotException($"{role} {full}: {Errno.Describe(Marshal.GetLastPInvokeError())}");
        if (!LinuxFileSystem.Instance.TryLstat(resolved, out var st, out var errno))
        {
            throw new SnapshotException($"{role} {full}: {Errno.Describe(errno)}");
        }

        if (!st.IsDirectory)
        {
            throw new SnapshotException($"{role} {full}: not a directory");
        }

        return resolved;
    }

    private static unsafe byte[]? RealPath(string path)
    {
        var bytes = PathBytes.FromString(path);
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
