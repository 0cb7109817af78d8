using ParallelDiff.Core.Fs;

namespace ParallelDiff.Core.Snapshots;

/// <summary>A visible name in a directory of a tree, with its lstat.</summary>
public readonly record struct DirEntry(byte[] Name, FileStatus Status);
