namespace ParallelDiff.Streams;

/// <summary>
/// One block of the tar, in a buffer rented from ArrayPool.Shared: the first
/// <see cref="Length"/> bytes are the block. Whoever compresses it returns the buffer.
/// </summary>
internal readonly record struct Block(byte[] Buffer, int Length)
{
    public ReadOnlySpan<byte> Span => Buffer.AsSpan(0, Length);
}
