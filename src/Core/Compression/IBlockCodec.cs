using System.Buffers;

namespace ParallelDiff.Core.Compression;

/// <summary>
/// Compresses one block of a layer's tar stream into one self-contained unit (a gzip member, a
/// zstd frame, an LZ4 frame, or the bytes themselves). A unit depends on nothing but the block's
/// bytes and the level, so blocks may be compressed on any number of threads and concatenated in
/// order: every decoder of these formats reads concatenated units as one stream, and the bytes
/// are the same whatever the worker count.
/// </summary>
/// <remarks>
/// Implementations are safe to call from several threads at once; each call borrows its own
/// compression context. Dispose releases pooled contexts once no call is running.
/// </remarks>
public interface IBlockCodec : IDisposable
{
    LayerCompression Kind { get; }

    int Level { get; }

    /// <summary>Appends the unit for <paramref name="block"/> (which may be empty) to <paramref name="output"/>.</summary>
    /// <returns>The number of bytes appended.</returns>
    int CompressBlock(ReadOnlySpan<byte> block, IBufferWriter<byte> output);
}
