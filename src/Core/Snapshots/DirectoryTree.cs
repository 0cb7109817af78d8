using Microsoft.Win32.SafeHandles;
using ParallelDiff.Core.Fs;

namespace ParallelDiff.Core.Snapshots;

/// <summary>A plain directory read as it is on disk (an upperdir, one layer, or a --from/--to tree).</summary>
public sealed class DirectoryTree : ISnapshotTree
{
    private readonly IFileSystem _fs;

    public DirectoryTree(string root, string role, IFileSystem? fs = null)
    {
        _fs = fs ?? LinuxFileSystem.Instance;
        RootBytes = SnapshotPaths.CanonicalDirectory(root, role);
        Description = $"{role} {PathBytes.Display(RootBytes)}";
    }

    /// <summary>The canonical absolute root (no symbolic link in any component).</summary>
    public byte[] RootBytes { get; }

    public string Description { get; }

    public IFileSystem FileSystem => _fs;

    public byte[] Absolute(ReadOnlySpan<byte> path) => PathBytes.Under(RootBytes, path);

    public bool TryLstat(ReadOnlySpan<byte> path, out FileStatus status, out int errno) =>
        _fs.TryLstat(Absolute(path), out status, out errno);

    public IReadOnlyList<DirEntry> List(ReadOnlySpan<byte> directory)
    {
        var dir = Absolute(directory);
        var names = _fs.ReadDirectory(dir);
        names.Sort(PathBytes.NameOrder);
        var entries = new List<DirEntry>(names.Count);
        foreach (var name in names)
        {
            var abs = PathBytes.Join(dir, name);
            if (!_fs.TryLstat(abs, out var st, out var errno))
            {
                // A name that vanished between readdir and lstat: the snapshot is changing under us.
                throw new FsException("lstat", PathBytes.Display(abs), errno);
            }

            entries.Add(new DirEntry(name, st));
        }

        return entries;
    }

    public byte[] ReadLink(ReadOnlySpan<byte> path) => _fs.ReadLink(Absolute(path));

    public byte[]? GetXattr(ReadOnlySpan<byte> path, string name) => _fs.GetXattr(Absolute(path), name);

    public IReadOnlyList<string> ListXattrs(ReadOnlySpan<byte> path) => _fs.ListXattrs(Absolute(path));

    public SafeFileHandle OpenData(ReadOnlySpan<byte> path) => _fs.OpenRead(Absolute(path));

    public string Locate(ReadOnlySpan<byte> path) => PathBytes.Display(Absolute(path));
}
