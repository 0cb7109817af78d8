using ParallelDiff.Core.Fs;

namespace ParallelDiff.Core.Tests.Support;

/// <summary>One name met by <see cref="TreeWalk"/>: its path relative to the root ("." for the root), its absolute path, its lstat.</summary>
public readonly record struct TreeWalkEntry(byte[] RelativePath, byte[] FullPath, FileStatus Status)
{
    public bool IsRoot => RelativePath.AsSpan().SequenceEqual("."u8);
}
