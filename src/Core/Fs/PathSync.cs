using System.Runtime.InteropServices;
using System.Text;
using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Fs;

/// <summary>
/// fsync(2) by path: of a file, so its bytes are on disk, or of a directory (O_DIRECTORY), so a
/// name renamed into it survives a crash. A read-only descriptor is enough for either.
/// </summary>
internal static class PathSync
{
    /// <param name="openOperation">Names the open in the error when the path cannot be opened.</param>
    /// <param name="operation">Names the fsync in the error when it fails.</param>
    /// <exception cref="FsException">The open or the fsync failed; the message names the path and the errno.</exception>
    public static void Fsync(string path, int flags, string openOperation, string operation)
    {
        var fd = Open(path, flags, openOperation);
        try
        {
            Fsync(fd, path, operation);
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    /// <summary>A descriptor to fsync later (the caller closes it).</summary>
    /// <exception cref="FsException">The open failed; the message names <paramref name="openOperation"/>, the path and the errno.</exception>
    public static unsafe int Open(string path, int flags, string openOperation)
    {
        int fd;
        using (var c = new CPath(Encoding.UTF8.GetBytes(path)))
        {
            fd = LibC.OpenAt(LibC.AT_FDCWD, c.Pointer, flags | LibC.O_CLOEXEC, 0);
        }

        return fd >= 0 ? fd : throw new FsException(openOperation, path, Marshal.GetLastPInvokeError());
    }

    /// <exception cref="FsException">The fsync failed; the message names <paramref name="operation"/>, the path and the errno.</exception>
    public static void Fsync(int fd, string path, string operation)
    {
        if (LibC.Fsync(fd) != 0)
        {
            throw new FsException(operation, path, Marshal.GetLastPInvokeError());
        }
    }
}
