using System.Runtime.InteropServices;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Oci;

/// <summary>An open directory whose file system <see cref="Sync"/> writes out whole (syncfs).</summary>
internal sealed class FileSystemHandle : IDisposable
{
    private readonly string _path;
    private int _fd;

    /// <exception cref="FsException">The directory cannot be opened.</exception>
    public FileSystemHandle(string directory)
    {
        _path = directory;
        _fd = PathSync.Open(directory, LibC.O_RDONLY | LibC.O_DIRECTORY, "open for syncfs");
    }

    /// <exception cref="FsException">syncfs failed (a writeback error on the file system since the open, or the call itself).</exception>
    public void Sync()
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        if (LibC.Syncfs(_fd) != 0)
        {
            throw new FsException("syncfs", _path, Marshal.GetLastPInvokeError());
        }
    }

    public void Dispose()
    {
        if (_fd >= 0)
        {
            LibC.Close(_fd);
            _fd = -1;
        }
    }
}
