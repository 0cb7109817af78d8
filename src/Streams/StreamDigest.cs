namespace ParallelDiff.Streams;

/// <summary>The sha256 of every byte that passed a <see cref="DigestFlow"/>, as an OCI digest, and their count.</summary>
public sealed record StreamDigest(string Digest, long Length);
