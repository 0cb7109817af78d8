using Microsoft.Win32.SafeHandles;

namespace ParallelDiff.Core.Fs;

/// <summary>
/// The read side of the system calls the differs need. Paths are absolute and raw bytes
/// (no terminating NUL); nothing here follows a symbolic link in the last component, and
/// <see cref="OpenRead(ReadOnlySpan{byte})"/> follows none at all.
/// </summary>
public interface IFileSystem
{
    /// <summary>lstat; false with the errno when the call fails.</summary>
    bool TryLstat(ReadOnlySpan<byte> path, out FileStatus status, out int errno);

    /// <summary>The names in a directory (without "." and ".."), in readdir order.</summary>
    List<byte[]> ReadDirectory(ReadOnlySpan<byte> path);

    /// <summary>
    /// The entries of a directory (without "." and ".."), in readdir order, each with its lstat
    /// and, when <paramref name="withXattrNames"/>, its xattr names. A name that vanishes before
    /// its lstat fails the listing (the tree is changing under us); errors name the entry's path.
    /// </summary>
    List<DirEntry> ListDirectory(ReadOnlySpan<byte> path, bool withXattrNames);

    /// <summary>lgetxattr; null when the attribute is absent (ENODATA) or the file system has none (ENOTSUP).</summary>
    byte[]? GetXattr(ReadOnlySpan<byte> path, string name);

    /// <summary>llistxattr: the attribute names, empty when the file system has none.</summary>
    List<string> ListXattrs(ReadOnlySpan<byte> path);

    /// <summary>readlink of a symbolic link, as bytes.</summary>
    byte[] ReadLink(ReadOnlySpan<byte> path);

    /// <summary>
    /// Opens a regular file for reading. The path must be canonical (no symbolic link in any
    /// component): the open fails with ELOOP rather than follow one, so a tree that changes
    /// under us cannot redirect a read outside it.
    /// </summary>
    SafeFileHandle OpenRead(ReadOnlySpan<byte> path);

    /// <summary>
    /// <see cref="OpenRead(ReadOnlySpan{byte})"/> by the file's bare name in its directory, kept
    /// open in <paramref name="lastDirectory"/> for the next file in the same directory. The same
    /// guarantees: no link followed in any component; errors name the file's absolute path.
    /// </summary>
    SafeFileHandle OpenRead(ReadOnlySpan<byte> path, LastDirectory lastDirectory) => OpenRead(path);
}
