using System.Buffers;
using ParallelDiff.Core.Compression;

namespace ParallelDiff.Core.Layers.LazyPull;

/// <summary>
/// Compressing ahead: a layer that waits for a frame another layer is compressing (two copies of
/// one tree exported at once) compresses frames it will cut later instead of idling, so that the
/// two share the compression rather than one doing it all while the other waits on it.
/// </summary>
internal sealed partial class FramedBlob
{
    // A few files ahead are enough to stay a frame ahead of the other layer; each wait scans from
    // the first frame not yet cut, past the ones already kept or claimed.
    private const int AheadScanLimit = 64;

    private readonly ArrayBufferWriter<byte> _ahead = new();
    private IUpcomingFrames? _upcoming;
    private bool _upcomingCrc64;

    // The work FrameCache.TryGet does while it waits (made once: a look-up per frame), or null.
    private Func<bool>? _whileWaiting;

    // The reading thread's compressor, when there is one: its frames are this layer's own.
    private ReaderCompressor? _readerCompressor;

    // Frames scanned in the current wait (0: the next wait starts over at the first upcoming frame).
    private int _scanning;

    /// <summary>Lets the blob compress <paramref name="upcoming"/> frames while it waits for one another layer compresses.</summary>
    /// <param name="keepCrc64">Keep each frame's CRC-64/ISO with it, as a cut that asks for it does (zstd:chunked's tar-split).</param>
    public void CompressAheadFrom(IUpcomingFrames upcoming, bool keepCrc64)
    {
        _upcoming = upcoming;
        _upcomingCrc64 = keepCrc64;
        _whileWaiting = _cache is null ? null : CompressOneAhead;
    }

    /// <summary>
    /// A compressor for the layer's reading thread, over this blob's cache (<see cref="ReaderCompressor"/>);
    /// null without a cache. Once it has compressed a frame, the blob is not held back.
    /// </summary>
    /// <param name="codec">Makes the reader's own codec, of this blob's codec and level.</param>
    /// <param name="keepCrc64">Keep each frame's CRC-64/ISO with it (zstd:chunked's tar-split).</param>
    /// <param name="padsLastChunk">A file's tar padding is in its last data frame (eStargz).</param>
    public ReaderCompressor? CompressorForReader(Func<IBlockCodec> codec, bool keepCrc64, bool padsLastChunk = false)
    {
        ArgumentNullException.ThrowIfNull(codec);
        if (_cache is null)
        {
            return null;
        }

        _readerCompressor = new ReaderCompressor(_cache, _cacheCodec, codec(), keepCrc64, padsLastChunk);
        return _readerCompressor;
    }

    /// <summary>Compresses the first upcoming frame nobody has or compresses, and keeps it; false when there was none.</summary>
    private bool CompressOneAhead()
    {
        var upcoming = _upcoming!;
        if (_scanning == 0)
        {
            upcoming.Rewind();
        }

        while (_scanning < AheadScanLimit && upcoming.TryNext(out var bytes, out var digest))
        {
            _scanning++;
            if (_cache!.TryClaimAndCompress(FrameCache.KeyOf(_cacheCodec, digest, bytes.Length), bytes.Span, _codec, _ahead, _upcomingCrc64))
            {
                return true;
            }
        }

        return false;
    }
}
