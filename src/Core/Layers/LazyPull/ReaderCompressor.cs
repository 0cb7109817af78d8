using System.Buffers;
using ParallelDiff.Core.Compression;

namespace ParallelDiff.Core.Layers.LazyPull;

/// <summary>
/// Compression done by a layer's reading thread (<see cref="PayloadReadAhead"/>) while the writing
/// thread is behind: instead of blocking on a full read-ahead, the reader compresses chunks it has
/// just read into the <see cref="FrameCache"/>, and the writer, when it reaches them, copies the
/// frames. The writer compressed every frame on one thread while the reader mostly waited: one
/// zstd:chunked layer kept 1.2 of 2 cores busy (11.4 s wall for 13.8 s of CPU, many-small), and
/// two copies of a tree exported at once 1.7. Only where each chunk is a frame of its own; the
/// frames are the bytes the writer would make (same codec, level and content), so the layer is too.
/// </summary>
internal sealed class ReaderCompressor : IDisposable
{
    private readonly FrameCache _cache;
    private readonly string _cacheCodec;
    private readonly IBlockCodec _codec;
    private readonly bool _keepCrc64;
    private readonly ArrayBufferWriter<byte> _output = new();
    private int _compressed;

    /// <param name="codec">The reader's own codec (a codec is one thread's), of the layer's codec and level; disposed with this.</param>
    /// <param name="cacheCodec">The codec and level as the cache names them ("zstd-3").</param>
    /// <param name="keepCrc64">Keep each frame's CRC-64/ISO with it, as the writer's cut asks for (zstd:chunked's tar-split).</param>
    public ReaderCompressor(FrameCache cache, string cacheCodec, IBlockCodec codec, bool keepCrc64)
    {
        _cache = cache;
        _cacheCodec = cacheCodec;
        _codec = codec;
        _keepCrc64 = keepCrc64;
    }

    /// <summary>
    /// Whether the reader compressed any frame: then the layer's blob is not a copy of one made
    /// before, and the writer stops holding it back (its frames are cache hits all the same).
    /// </summary>
    public bool CompressedAny => Volatile.Read(ref _compressed) != 0;

    /// <summary>
    /// Compresses a chunk and keeps its frame, unless the cache has it, another layer (or the
    /// writer) compresses it already, or the cache keeps no more frames.
    /// </summary>
    /// <returns>Whether this call compressed it.</returns>
    public bool TryCompress(ReadOnlySpan<byte> chunk, string digest)
    {
        var key = FrameCache.KeyOf(_cacheCodec, digest, chunk.Length);
        if (!_cache.TryClaim(key, chunk.Length))
        {
            return false;
        }

        // A claim is kept without waiting on anything until Add or Abandon (FrameCache.TryClaim):
        // the writer may be waiting for this very frame.
        _output.ResetWrittenCount();
        try
        {
            _codec.CompressBlock(chunk, _output);
        }
        catch
        {
            _cache.Abandon(key);
            throw;
        }

        _cache.Add(key, chunk.Length, _output.WrittenSpan, _keepCrc64 ? TarSplitPacker.Crc64Append(0, chunk) : null);
        Volatile.Write(ref _compressed, 1);
        return true;
    }

    public void Dispose() => _codec.Dispose();
}
