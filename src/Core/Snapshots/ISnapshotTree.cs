using Microsoft.Win32.SafeHandles;
using ParallelDiff.Core.Fs;

namespace ParallelDiff.Core.Snapshots;

/// <summary>
/// A read-only tree the differs compare: a plain directory, or a stack of overlay layers resolved
/// in user space. Paths are relative raw bytes without a leading '/'; the empty path is the root.
/// No operation follows a symbolic link.
/// </summary>
public interface ISnapshotTree
{
    /// <summary>What the tree is, for messages (e.g. "upper /var/lib/x/upper").</summary>
    string Description { get; }

    /// <summary>lstat; false with ENOENT or ENOTDIR (a parent is not a directory) when the path is absent.</summary>
    bool TryLstat(ReadOnlySpan<byte> path, out FileStatus status, out int errno);

    /// <summary>The visible entries of a directory, sorted byte-wise by name (Go's sort.Strings).</summary>
    IReadOnlyList<DirEntry> List(ReadOnlySpan<byte> directory);

    byte[] ReadLink(ReadOnlySpan<byte> path);

    /// <summary>An extended attribute; null when absent.</summary>
    byte[]? GetXattr(ReadOnlySpan<byte> path, string name);

    IReadOnlyList<string> ListXattrs(ReadOnlySpan<byte> path);

    /// <summary>Opens the data of a regular file (for a metacopy file, the lower file holding its data).</summary>
    SafeFileHandle OpenData(ReadOnlySpan<byte> path);

    /// <summary><see cref="OpenData(ReadOnlySpan{byte})"/> relative to the last directory opened through <paramref name="lastDirectory"/> when it is the file's.</summary>
    SafeFileHandle OpenData(ReadOnlySpan<byte> path, LastDirectory lastDirectory) => OpenData(path);

    /// <summary>The absolute path of an entry, for messages.</summary>
    string Locate(ReadOnlySpan<byte> path);
}
