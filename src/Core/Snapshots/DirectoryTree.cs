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

    public IReadOnlyList<DirEntry> List(ReadOnlySpan<byte> directory) => Sorted(_fs.ListDirectory(Absolute(directory), withXattrNames: false));

    /// <summary>
    /// <see cref="List"/> with each entry's xattr names: for the overlay differ, which needs them
    /// for every upper entry and gets them here relative to the directory's descriptor.
    /// </summary>
    public IReadOnlyList<DirEntry> ListWithXattrNames(ReadOnlySpan<byte> directory) => Sorted(_fs.ListDirectory(Absolute(directory), withXattrNames: true));

    public byte[] ReadLink(ReadOnlySpan<byte> path) => _fs.ReadLink(Absolute(path));

    public byte[]? GetXattr(ReadOnlySpan<byte> path, string name) => _fs.GetXattr(Absolute(path), name);

    public IReadOnlyList<string> ListXattrs(ReadOnlySpan<byte> path) => _fs.ListXattrs(Absolute(path));

    public SafeFileHandle OpenData(ReadOnlySpan<byte> path) => _fs.OpenRead(Absolute(path));

    public SafeFileHandle OpenData(ReadOnlySpan<byte> path, LastDirectory lastDirectory) => _fs.OpenRead(Absolute(path), lastDirectory);

    public string Locate(ReadOnlySpan<byte> path) => PathBytes.Display(Absolute(path));

    private static List<DirEntry> Sorted(List<DirEntry> entries)
    {
        entries.Sort(static (a, b) => PathBytes.CompareNames(a.Name, b.Name));
        return entries;
    }
}
