using Akka.IO;

namespace ParallelDiff.Streams;

/// <summary>
/// One block of the tar, in a buffer rented from ArrayPool.Shared (the first
/// <see cref="Length"/> bytes are the block), with the compressor of the materialization that
/// cut it. The compressor returns the buffer once the block is compressed.
/// </summary>
internal readonly record struct Block(byte[] Buffer, int Length, BlockCompressor Compressor)
{
    public ReadOnlySpan<byte> Span => Buffer.AsSpan(0, Length);

    public Task<ByteString> CompressAsync() => Compressor.CompressAsync(this);
}
