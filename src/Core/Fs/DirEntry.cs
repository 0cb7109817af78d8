namespace ParallelDiff.Core.Fs;

/// <summary>A name in a directory with its lstat, as a listing read them.</summary>
/// <param name="XattrNames">
/// The entry's xattr names when the listing read them too (see <see cref="IFileSystem.ListDirectory"/>);
/// null when it did not, and the caller must ask for them itself.
/// </param>
public readonly record struct DirEntry(byte[] Name, FileStatus Status, IReadOnlyList<string>? XattrNames = null);
