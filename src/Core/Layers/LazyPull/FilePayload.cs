namespace ParallelDiff.Core.Layers.LazyPull;

/// <summary>One frame of a file's data: where in the file it starts, its size, and where its frame sits in the blob.</summary>
internal sealed record PayloadChunk(long FileOffset, long Size, long BlobOffset, long BlobEndOffset, string Digest);

/// <summary>
/// Where a regular file's data went: its frames (one per block of data, the first starting at
/// <see cref="BlobOffset"/>), and the sha256 of the whole data. Empty files have no frames.
/// </summary>
internal sealed record FilePayload(string Digest, long BlobOffset, long BlobEndOffset, IReadOnlyList<PayloadChunk> Chunks);
