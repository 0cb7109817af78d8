namespace ParallelDiff.Core.Tests.Vectors;

/// <summary>Bytes at an offset of a file: a data extent of a sparse file, or a segment of a mostly-zero one.</summary>
public readonly record struct ContentExtent(long Offset, byte[] Data);
