namespace ParallelDiff.Streams;

/// <summary>
/// A run of one file's data still to be read into a tar block: <see cref="Length"/> bytes at
/// <see cref="FileOffset"/> of the file, to land at <see cref="BlockOffset"/> of the block.
/// </summary>
internal readonly record struct FileExtent(FileDataReader Reader, long FileOffset, int BlockOffset, int Length);
