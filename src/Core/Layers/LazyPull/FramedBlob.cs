using System.Buffers;
using ParallelDiff.Core.Compression;

namespace ParallelDiff.Core.Layers.LazyPull;

/// <summary>
/// The compressed side of a lazy-pull layer: uncompressed tar bytes are gathered into the current
/// frame (a zstd frame, a gzip member), which is compressed and written when the caller cuts it, and
/// at the latest when it holds a block of <see cref="CompressionSettings.BlockSize"/> bytes, so no
/// frame needs more memory than a block. Every byte that goes into a frame also goes into the
/// diffID; <see cref="WriteRaw"/> writes bytes outside any frame (zstd skippable frames, the eStargz
/// footer), which belong to the blob only. Offsets are those of the blob, as the TOCs record them.
/// </summary>
internal sealed partial class FramedBlob : IDisposable
{
    private readonly Stream _blob;
    private readonly IBlockCodec _codec;
    private readonly int _blockSize;
    private readonly ArrayBufferWriter<byte> _pending;
    private readonly ArrayBufferWriter<byte> _compressed = new();
    private readonly Sha256Hasher _tar = new();

    private readonly FrameCache? _cache;
    private readonly string _cacheCodec;
    private readonly ReusableSha256 _unnamed = new();

    // Kept whenever there is a cache: a layer whose recipe made a blob before need not be hashed.
    private readonly BlobRecipe? _recipe;

    /// <param name="cache">Frames to copy rather than compress again, by content; null compresses every frame.</param>
    /// <param name="cacheCodec">The codec and level as the cache names them ("zstd-3"): a frame's bytes depend on both.</param>
    /// <param name="holdBackCached">Hold the blob's pieces back while all come from the cache (<see cref="HeldBack"/>).</param>
    public FramedBlob(Stream blob, IBlockCodec codec, int blockSize, FrameCache? cache = null, string cacheCodec = "", bool holdBackCached = false)
    {
        _cache = cache;
        _cacheCodec = cacheCodec;
        _blob = blob;
        _codec = codec;
        _blockSize = blockSize;
        _pending = new ArrayBufferWriter<byte>(Math.Min(blockSize, 64 * 1024));
        if (cache is not null)
        {
            _recipe = new BlobRecipe();
            _heldBack = holdBackCached ? new PooledList<HeldPiece>() : null;
            _tarDeferred = holdBackCached && cache.MemoryCapacity > 0 && !cache.StoppedKeeping;
        }
    }

    /// <summary>"sha256:…" of what the blob is made of (<see cref="BlobRecipe"/>), or null without a cache.</summary>
    public string? RecipeDigest => _recipe?.Digest;

    /// <summary>Bytes written to the blob so far: the offset at which the next frame starts once the current one is cut.</summary>
    public long Offset { get; private set; }

    /// <summary>Uncompressed tar bytes so far.</summary>
    public long TarLength { get; private set; }

    /// <summary>Uncompressed bytes in the current, not yet written, frame.</summary>
    public int Pending => _pending.WrittenCount;

    /// <summary>Room left in the current frame before it reaches a block.</summary>
    public int Room => _blockSize - _pending.WrittenCount;

    /// <summary>
    /// After a <see cref="Cut(string?, ulong?)"/> that asked for it: the CRC-64/ISO of the frame's
    /// uncompressed bytes, continued from the value the caller gave.
    /// </summary>
    public ulong Crc64 { get; private set; }

    /// <summary>"sha256:…" of the uncompressed tar so far.</summary>
    public string TarDigest => _tarDeferred
        ? throw new InvalidOperationException("the tar of a blob still held back is not hashed: write or drop the held pieces first")
        : _knownTarDigest ?? Sha256Text.FromHash(_tar.CurrentHash());

    /// <summary>Adds tar bytes to the current frame, cutting it each time it fills a block.</summary>
    /// <param name="cutWhenFull">
    /// False when the caller cuts a full frame itself, naming its content for the cache; it must
    /// then never append more than <see cref="Room"/>.
    /// </param>
    public void Append(ReadOnlySpan<byte> data, bool cutWhenFull = true)
    {
        while (!data.IsEmpty)
        {
            var n = Math.Min(data.Length, Room);
            _pending.Write(data[..n]);
            if (!_tarDeferred)
            {
                _tar.Append(data[..n]);
            }

            TarLength += n;
            data = data[n..];
            if (Room == 0 && cutWhenFull)
            {
                Cut();
            }
        }
    }

    /// <summary>Compresses and writes the current frame if it holds anything; returns <see cref="Offset"/> after it.</summary>
    /// <param name="contentDigest">
    /// "sha256:…" of the frame's uncompressed bytes when the caller knows it, so that the cache may
    /// supply or keep its compressed form (with the frame's length and the codec it names them exactly).
    /// </param>
    public long Cut(string? contentDigest = null) => Cut(contentDigest, crc64From: null);

    /// <summary>As <see cref="Cut(string?)"/>, and sets <see cref="Crc64"/> when <paramref name="crc64From"/> is given.</summary>
    /// <param name="crc64From">
    /// The CRC-64 to continue over the frame's bytes (0 for a file's first frame), or null for none.
    /// A frame's CRC from 0 is a function of its content, so the cache keeps it with the frame and
    /// a copied frame's bytes are not read for it again (tar-split's CRC-64 was a sixth of a copy's CPU).
    /// </param>
    public long Cut(string? contentDigest, ulong? crc64From) => Cut(contentDigest, crc64From, compressed: null);

    /// <summary>
    /// As <see cref="Cut(string?, ulong?)"/>, with the frame's compressed bytes when the layer's
    /// reading thread made them already (<see cref="ReaderCompressor.CompressApart"/>): written (and
    /// offered to the cache) as the layer's own frame, not looked up or compressed again. The caller
    /// gives them back after.
    /// </summary>
    public long Cut(string? contentDigest, ulong? crc64From, ChunkFrame? compressed)
    {
        var length = _pending.WrittenCount;
        if (length == 0)
        {
            Crc64 = crc64From ?? 0;
            return Offset;
        }

        contentDigest ??= NameUnnamed();
        var key = contentDigest is null || _cache is null ? null : FrameCache.KeyOf(_cacheCodec, contentDigest, length);
        if (compressed is null && key is not null && TryGetCached(key, length, out var frame))
        {
            Crc64 = PendingCrc64(crc64From, frame.Crc64);
            if (_readerCompressor is { CompressedAny: true })
            {
                // The reader compressed frames of this layer: copied or not, the blob is not a copy's.
                StopHolding();
            }
            else if (_tarDeferred && _cache!.StoppedKeeping && _heldBack is { } held)
            {
                StopDeferringTar(held);
            }

            _pending.ResetWrittenCount();
            WriteFrame(key, frame);
            return Offset;
        }

        ReadOnlyMemory<byte> frameBytes;
        if (compressed is { } given)
        {
            Crc64 = PendingCrc64(crc64From, given.Crc64);
            frameBytes = given.Bytes;
        }
        else
        {
            Crc64 = crc64From is { } start ? TarSplitPacker.Crc64Append(start, _pending.WrittenSpan) : 0;
            CompressMissed(key, _pending.WrittenSpan, _compressed);
            frameBytes = _compressed.WrittenMemory;
        }

        if (key is not null)
        {
            _cache!.Add(key, length, frameBytes.Span, crc64From == 0 ? Crc64 : null);
        }

        // A frame compressed: the blob is not a copy's, whatever was held back is written now.
        StopHolding();
        _pending.ResetWrittenCount();
        if (key is not null)
        {
            WriteFrame(key, new CachedFrame(frameBytes, null));
        }
        else
        {
            WriteRaw(frameBytes.Span);
        }

        return Offset;
    }

    /// <summary>
    /// The CRC-64/ISO of the pending frame continued from <paramref name="from"/> (0 when null: none
    /// asked for): <paramref name="known"/>, the frame's own CRC from 0 that came with its compressed
    /// bytes, when it starts from 0; else read from the bytes.
    /// </summary>
    private ulong PendingCrc64(ulong? from, ulong? known) => from switch
    {
        null => 0,
        0 when known is { } fromZero => fromZero,
        { } start => TarSplitPacker.Crc64Append(start, _pending.WrittenSpan),
    };

    /// <summary>A frame from the cache, compressing frames ahead while another layer compresses this one.</summary>
    private bool TryGetCached(string key, int length, out CachedFrame frame)
    {
        _scanning = 0;
        return _cache!.TryGet(key, length, out frame, _whileWaiting);
    }

    /// <summary>
    /// Compresses <paramref name="data"/> into <paramref name="output"/> (emptied first), after a
    /// cache miss or claim that made this layer the compressor of <paramref name="key"/>: on failure
    /// the key is abandoned, so that layers waiting for it compress it themselves.
    /// </summary>
    private void CompressMissed(string? key, ReadOnlySpan<byte> data, ArrayBufferWriter<byte> output)
    {
        output.ResetWrittenCount();
        try
        {
            _codec.CompressBlock(data, output);
        }
        catch when (key is not null)
        {
            _cache!.Abandon(key);
            throw;
        }
    }

    /// <summary>
    /// Compresses bytes that are not part of the tar (zstd:chunked's TOC and tar-split data) into one
    /// frame of the blob's codec, appended to <paramref name="output"/> and not written to the blob.
    /// Through the cache like a file's frame (same codec, same content, same bytes): ten copies of
    /// one tree have one TOC and one tar-split, which compressed at the layer's level were a seventh
    /// of what a copy whose file frames were all cached still cost.
    /// </summary>
    public void CompressApart(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        var key = _cache is null || data.IsEmpty ? null : FrameCache.KeyOf(_cacheCodec, DigestOf(data, data.Length > Sha256Hasher.ManagedLimit), data.Length);
        if (key is not null && TryGetCached(key, data.Length, out var frame))
        {
            output.Write(frame.Bytes.Span);
            return;
        }

        CompressMissed(key, data, _compressed);
        if (key is not null)
        {
            _cache!.Add(key, data.Length, _compressed.WrittenSpan);
        }

        output.Write(_compressed.WrittenSpan);
    }

    /// <summary>"sha256:…" of bytes no caller named, with the platform's hasher when <paramref name="platform"/> (the layer or the bytes are big).</summary>
    private string DigestOf(ReadOnlySpan<byte> data, bool platform)
    {
        _unnamed.Start(platform);
        _unnamed.Append(data);
        return _unnamed.Finish();
    }

    /// <summary>
    /// The content digest of a frame no caller named (the headers and paddings between files), so
    /// that copies of one tree copy those frames too: compressing 100,000 frames of a header or two
    /// each was half of what a copy whose file data was all cached still cost, and one frame
    /// compressed ends the holding back of a copy's blob. Hashed in managed code while the layer is
    /// within <see cref="Sha256Hasher.ManagedLimit"/> (a small layer would load OpenSSL for it); only
    /// when the cache keeps frames in memory (the disk keeps none this small).
    /// </summary>
    private string? NameUnnamed()
    {
        return _cache is { MemoryCapacity: > 0 } ? DigestOf(_pending.WrittenSpan, TarLength > Sha256Hasher.ManagedLimit) : null;
    }

    /// <summary>Writes bytes to the blob outside any frame; nothing may be pending.</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        if (_pending.WrittenCount > 0)
        {
            throw new InvalidOperationException("a frame is still open");
        }

        _recipe?.AddBytes(bytes);

        if (_heldBack is { } pieces)
        {
            pieces.Add(new HeldPiece(HoldCopy(bytes), IsFrame: false));
        }
        else
        {
            _blob.Write(bytes);
        }

        Offset += bytes.Length;
    }

    public void Dispose()
    {
        ReleaseHeld();
        _tar.Dispose();
        _unnamed.Dispose();
        _recipe?.Dispose();
    }
}
