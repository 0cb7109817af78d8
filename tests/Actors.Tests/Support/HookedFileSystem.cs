using Microsoft.Win32.SafeHandles;
using ParallelDiff.Core.Fs;

namespace ParallelDiff.Actors.Tests.Support;

/// <summary>
/// The real file system with a hook called before every call, given the operation and the
/// absolute path: a test makes one path fail (EACCES as root, where chmod 000 stops nothing),
/// slows some directories down, or blocks a worker until it is told to go on.
/// </summary>
public sealed class HookedFileSystem : IFileSystem
{
    private readonly LinuxFileSystem _inner = LinuxFileSystem.Instance;
    private int _directoriesRead;

    public Action<string, string>? Before { get; init; }

    /// <summary>readdir calls so far (each upper shard lists one directory).</summary>
    public int DirectoriesRead => Volatile.Read(ref _directoriesRead);

    public bool TryLstat(ReadOnlySpan<byte> path, out FileStatus status, out int errno)
    {
        Hook("lstat", path);
        return _inner.TryLstat(path, out status, out errno);
    }

    public List<byte[]> ReadDirectory(ReadOnlySpan<byte> path)
    {
        Interlocked.Increment(ref _directoriesRead);
        Hook("readdir", path);
        return _inner.ReadDirectory(path);
    }

    /// <summary>Hooks "readdir" for the directory, then "lstat" (and "listxattr") for each entry, as the per-path calls it replaces.</summary>
    public List<DirEntry> ListDirectory(ReadOnlySpan<byte> path, bool withXattrNames)
    {
        Interlocked.Increment(ref _directoriesRead);
        Hook("readdir", path);
        var entries = _inner.ListDirectory(path, withXattrNames);
        foreach (var entry in entries)
        {
            var child = PathBytes.Join(path, entry.Name);
            Hook("lstat", child);
            if (withXattrNames)
            {
                Hook("listxattr", child);
            }
        }

        return entries;
    }

    public byte[]? GetXattr(ReadOnlySpan<byte> path, string name)
    {
        Hook("getxattr", path);
        return _inner.GetXattr(path, name);
    }

    public List<string> ListXattrs(ReadOnlySpan<byte> path)
    {
        Hook("listxattr", path);
        return _inner.ListXattrs(path);
    }

    public byte[] ReadLink(ReadOnlySpan<byte> path)
    {
        Hook("readlink", path);
        return _inner.ReadLink(path);
    }

    public SafeFileHandle OpenRead(ReadOnlySpan<byte> path)
    {
        Hook("open", path);
        return _inner.OpenRead(path);
    }

    /// <summary>An EACCES for one absolute path, as the kernel would report it.</summary>
    public static Action<string, string> DenyAccess(string absolutePath, string operation = "readdir") => (op, path) =>
    {
        if (op == operation && path == absolutePath)
        {
            throw new FsException(op, path, Errno.EACCES);
        }
    };

    private void Hook(string operation, ReadOnlySpan<byte> path) => Before?.Invoke(operation, PathBytes.Display(path));
}
