using System.Runtime.InteropServices;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Tests.Support;

/// <summary>
/// A fresh directory under the temp folder, removed with everything in it on Dispose. Removal walks
/// raw byte names (Directory.Delete would mangle names that are not UTF-8 and then fail on them),
/// and it never crosses into another file system: a mount left inside is an error, not something
/// to empty.
/// </summary>
public sealed class ScratchDirectory : IDisposable
{
    private bool _disposed;

    private ScratchDirectory(string path) => Path = path;

    public string Path { get; }

    /// <summary>Creates /tmp/PREFIXxxxxxx. The name has no ':' or ',', so it can go into overlay options.</summary>
    public static ScratchDirectory Create(string prefix) => new(Directory.CreateTempSubdirectory(prefix).FullName);

    /// <summary>Creates the directory <paramref name="name"/> in it (and any parents); its full path.</summary>
    public string Subdirectory(string name) => Directory.CreateDirectory(System.IO.Path.Combine(Path, name)).FullName;

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        RemoveTree(Path);
    }

    /// <summary>Removes a directory tree by raw names, staying on the file system of its root.</summary>
    public static void RemoveTree(string root)
    {
        var path = PathBytes.FromString(root);
        if (!LinuxFileSystem.Instance.TryLstat(path, out var status, out var errno))
        {
            if (errno == Errno.ENOENT)
            {
                return;
            }

            throw new FsException("lstat", root, errno);
        }

        if (!status.IsDirectory)
        {
            Unlink(path, 0);
            return;
        }

        RemoveChildren(path, status.Device);
        Unlink(path, LibC.AT_REMOVEDIR);
    }

    private static void RemoveChildren(byte[] dir, ulong device)
    {
        foreach (var name in LinuxFileSystem.Instance.ReadDirectory(dir))
        {
            var child = PathBytes.Join(dir, name);
            if (!LinuxFileSystem.Instance.TryLstat(child, out var status, out var errno))
            {
                throw new FsException("lstat", PathBytes.Display(child), errno);
            }

            if (status.IsDirectory)
            {
                if (status.Device != device)
                {
                    throw new IOException($"{PathBytes.Display(child)}: still a mount point; refusing to remove what is mounted there");
                }

                RemoveChildren(child, device);
                Unlink(child, LibC.AT_REMOVEDIR);
            }
            else
            {
                Unlink(child, 0);
            }
        }
    }

    private static unsafe void Unlink(byte[] path, int flags)
    {
        using var c = new CPath(path);
        if (LibC.UnlinkAt(LibC.AT_FDCWD, c.Pointer, flags) != 0)
        {
            throw new FsException(flags == 0 ? "unlink" : "rmdir", PathBytes.Display(path), Marshal.GetLastPInvokeError());
        }
    }
}
