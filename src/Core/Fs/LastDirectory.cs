using System.Runtime.InteropServices;
using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Fs;

/// <summary>
/// The directory of the last file opened through it, kept open so that the next file in the same
/// directory opens by its bare name (<see cref="IFileSystem.OpenRead(ReadOnlySpan{byte}, LastDirectory)"/>):
/// consecutive tar entries mostly share a directory, and an open by absolute path walks every
/// component of a deep tree again. One owner at a time (it is not thread-safe): a tar block's fill
/// creates one, opens its files in order, and disposes it, which closes the directory.
/// </summary>
public sealed unsafe class LastDirectory : IDisposable
{
    private byte[]? _path;
    private int _fd = -1;

    /// <summary>
    /// A descriptor (O_PATH) of <paramref name="directory"/>, opened following no symbolic link in
    /// any component, or the one already held for the same path; -1 with the errno when it fails.
    /// </summary>
    internal int Descriptor(ReadOnlySpan<byte> directory, out int errno)
    {
        errno = 0;
        if (_fd >= 0 && directory.SequenceEqual(_path))
        {
            return _fd;
        }

        Close();
        // No O_NOFOLLOW: with it a link as the last component meets O_DIRECTORY (ENOTDIR);
        // RESOLVE_NO_SYMLINKS refuses it as it refuses an inner one (ELOOP), as the open by path does.
        const ulong resolve = LibC.RESOLVE_NO_SYMLINKS | LibC.RESOLVE_NO_MAGICLINKS;
        using var deep = DeepPath.Open(directory, resolve, out errno);
        if (deep.Failed)
        {
            return -1;
        }

        var fd = LibC.OpenAt2(deep.DirFd, deep.Name, (ulong)(LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_CLOEXEC), resolve);
        if (fd < 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return -1;
        }

        _fd = (int)fd;
        _path = directory.ToArray();
        return _fd;
    }

    public void Dispose() => Close();

    private void Close()
    {
        if (_fd >= 0)
        {
            LibC.Close(_fd);
        }

        _fd = -1;
        _path = null;
    }
}
