using System.Buffers;
using ParallelDiff.Core.Compression;

namespace ParallelDiff.Core.Layers.LazyPull;

/// <summary>
/// Compression done by a layer's reading thread (<see cref="PayloadReadAhead"/>) while the writing
/// thread is behind: instead of blocking on a full read-ahead, the reader compresses chunks it has
/// just read, and the writer, when it reaches them, writes those frames. The writer compressed
/// every frame on one thread while the reader mostly waited: one zstd:chunked layer kept 1.2 of 2
/// cores busy (11.4 s wall for 13.8 s of CPU, many-small). While the <see cref="FrameCache"/>
/// keeps frames, they go through it (claimed, so that no layer compresses one twice, and kept for
/// the layers after); once it keeps no more, each goes with its chunk (<see cref="CompressApart"/>).
/// The frames are the bytes the writer would make (same codec, level and content: with eStargz a
/// file's last chunk and its tar padding), so the layer is too.
/// </summary>
/// <param name="codec">The reader's own codec (a codec is one thread's), of the layer's codec and level; disposed with this.</param>
/// <param name="cacheCodec">The codec and level as the cache names them ("zstd-3").</param>
/// <param name="keepCrc64">Keep each frame's CRC-64/ISO with it, as the writer's cut asks for (zstd:chunked's tar-split).</param>
/// <param name="padsLastChunk">The format puts a file's tar padding in its last data frame (eStargz).</param>
internal sealed class ReaderCompressor(FrameCache cache, string cacheCodec, IBlockCodec codec, bool keepCrc64, bool padsLastChunk = false) : IDisposable
{
    private readonly ArrayBufferWriter<byte> _output = new();
    private int _compressed;

    /// <summary>
    /// Whether the reader compressed any frame: then the layer's blob is not a copy of one made
    /// before, and the writer stops holding it back (its frames are cache hits all the same).
    /// </summary>
    public bool CompressedAny => Volatile.Read(ref _compressed) != 0;

    /// <summary>
    /// Compresses a frame's bytes (a chunk, and its padding where <see cref="PadsLastChunk"/>) and keeps the frame, unless the cache has it, another layer (or the
    /// writer) compresses it already, or the cache keeps no more frames.
    /// </summary>
    /// <returns>Whether this call compressed it.</returns>
    /// <param name="digest">The chunk's digest, which names the frame (with the frame's length).</param>
    public bool TryCompress(ReadOnlySpan<byte> chunk, string digest)
    {
        if (!cache.TryClaimAndCompress(FrameCache.KeyOf(cacheCodec, digest, chunk.Length), chunk, codec, _output, keepCrc64))
        {
            return false;
        }

        Volatile.Write(ref _compressed, 1);
        return true;
    }

    /// <summary>Whether a file's last frame holds its chunk and then its tar padding (eStargz): the reader passes both.</summary>
    public bool PadsLastChunk => padsLastChunk;

    /// <summary>Whether the cache still keeps frames (then <see cref="TryCompress"/>; else <see cref="CompressApart"/>).</summary>
    public bool CacheKeeps => !cache.StoppedKeeping;

    /// <summary>
    /// Compresses a chunk into a frame of its own, outside the cache, for the writer to write when
    /// it reaches the chunk (and then give back, <see cref="ChunkFrame.Return"/>).
    /// </summary>
    public ChunkFrame CompressApart(ReadOnlySpan<byte> chunk)
    {
        _output.ResetWrittenCount();
        codec.CompressBlock(chunk, _output);
        var bytes = ArrayPool<byte>.Shared.Rent(_output.WrittenCount);
        _output.WrittenSpan.CopyTo(bytes);
        Volatile.Write(ref _compressed, 1);
        return new ChunkFrame(bytes, _output.WrittenCount, keepCrc64 ? TarSplitPacker.Crc64Append(0, chunk) : null);
    }

    public void Dispose() => codec.Dispose();
}

/// <summary>
/// A chunk's frame compressed by the reading thread (<see cref="ReaderCompressor.CompressApart"/>):
/// <see cref="Length"/> bytes of a pooled array, and the CRC-64/ISO of the chunk when the format keeps it.
/// </summary>
internal readonly record struct ChunkFrame(byte[] Array, int Length, ulong? Crc64)
{
    public ReadOnlyMemory<byte> Bytes => Array.AsMemory(0, Length);

    /// <summary>Gives the array back to the pool: once, by whoever holds the frame last.</summary>
    public void Return() => ArrayPool<byte>.Shared.Return(Array);
}
