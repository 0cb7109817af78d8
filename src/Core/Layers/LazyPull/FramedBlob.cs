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
internal sealed class FramedBlob : IDisposable
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

    // What the blob is made of, in order: a frame by its cache key (which fixes its bytes), any
    // other bytes as themselves. Equal recipes are equal blobs, so a blob made before is known by
    // its recipe without hashing the blob again (FrameCache.TryGetBlob).
    private readonly Sha256Hasher? _recipe;

    // The blob's pieces held back, not written, while every frame so far came from the cache: a copy
    // of a tree written before may turn out to be a blob its destination holds already, and then is
    // not written at all. Null once a frame had to be compressed (or without a cache).
    private List<HeldPiece>? _heldBack;

    // While pieces are held and the cache still keeps every frame it is given, the tar is not hashed
    // either: a recipe made before names the diffID too, and otherwise the held frames are
    // decompressed to hash them (CatchUpTar). Once the cache is full a copy is likely to meet a
    // frame it no longer has, and decompressing all it held before that cost more than hashing
    // (ten copies with the default cache.memory were a seventh slower): the tar is then hashed
    // as it comes, held or not.
    private bool _tarDeferred;
    private string? _knownTarDigest;

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
            _recipe = new Sha256Hasher();
            _heldBack = holdBackCached ? [] : null;
            _tarDeferred = holdBackCached && cache.MemoryCapacity > 0 && !cache.StoppedKeeping;
        }
    }

    /// <summary>Whether nothing was written to the blob stream yet: every piece so far is held back (see the constructor).</summary>
    public bool HeldBack => _heldBack is not null;

    /// <summary>"sha256:…" of what the blob is made of (frames by cache key, other bytes as themselves), or null without a cache.</summary>
    public string? RecipeDigest => _recipe is null ? null : "sha256:" + Convert.ToHexStringLower(_recipe.CurrentHash());

    /// <summary>Forgets the pieces held back: the blob they make is already where it is going.</summary>
    /// <param name="tarDigest">The diffID the same recipe made before (<see cref="KnownBlob.TarDigest"/>).</param>
    public void DropHeldBack(string tarDigest)
    {
        if (_heldBack is not null)
        {
            _heldBack = null;
            if (_tarDeferred)
            {
                _tarDeferred = false;
                _knownTarDigest = tarDigest;
            }
        }
    }

    /// <summary>Writes the pieces held back, in order, and writes every later piece at once.</summary>
    /// <param name="tarDigest">
    /// The diffID the same recipe made before, when known; otherwise the held frames are
    /// decompressed to hash the tar they hold.
    /// </param>
    public void WriteHeldBack(string? tarDigest)
    {
        if (_heldBack is not { } pieces)
        {
            return;
        }

        if (_tarDeferred)
        {
            if (tarDigest is null)
            {
                CatchUpTar(pieces);
            }
            else
            {
                _knownTarDigest = tarDigest;
            }

            _tarDeferred = false;
        }

        _heldBack = null;
        foreach (var piece in pieces)
        {
            _blob.Write(piece.Bytes.Span);
        }
    }

    /// <summary>
    /// Ends the holding back where a frame has to be compressed: the tar held so far is hashed (its
    /// frames decompressed, then the current frame's bytes), the held pieces written.
    /// </summary>
    private void StopHolding()
    {
        if (_heldBack is not { } pieces)
        {
            return;
        }

        StopDeferringTar(pieces);
        _heldBack = null;
        foreach (var piece in pieces)
        {
            _blob.Write(piece.Bytes.Span);
        }
    }

    /// <summary>Hashes the tar held so far and the current frame's bytes, and from then on the tar as it comes.</summary>
    private void StopDeferringTar(List<HeldPiece> pieces)
    {
        if (!_tarDeferred)
        {
            return;
        }

        CatchUpTar(pieces);
        _tar.Append(_pending.WrittenSpan);
        _tarDeferred = false;
    }

    private void CatchUpTar(List<HeldPiece> pieces)
    {
        using var frames = new HeldFramesStream(pieces);
        using var tar = LayerDecompression.OpenDecompressing(frames, _codec.Kind);
        var buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
        try
        {
            int n;
            while ((n = tar.Read(buffer)) > 0)
            {
                _tar.Append(buffer.AsSpan(0, n));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

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
        : _knownTarDigest ?? "sha256:" + Convert.ToHexStringLower(_tar.CurrentHash());

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
    public long Cut(string? contentDigest, ulong? crc64From)
    {
        var length = _pending.WrittenCount;
        if (length == 0)
        {
            Crc64 = crc64From ?? 0;
            return Offset;
        }

        contentDigest ??= NameUnnamed();
        var key = contentDigest is null || _cache is null ? null : FrameCache.KeyOf(_cacheCodec, contentDigest, length);
        if (key is not null && _cache!.TryGet(key, length, out var frame))
        {
            Crc64 = crc64From switch
            {
                null => 0,
                0 when frame.Crc64 is { } cached => cached,
                { } from => TarSplitPacker.Crc64Append(from, _pending.WrittenSpan),
            };
            if (_tarDeferred && _cache.StoppedKeeping && _heldBack is { } held)
            {
                StopDeferringTar(held);
            }

            _pending.ResetWrittenCount();
            WriteFrame(key, frame.Bytes);
            return Offset;
        }

        Crc64 = crc64From is { } start ? TarSplitPacker.Crc64Append(start, _pending.WrittenSpan) : 0;
        _compressed.ResetWrittenCount();
        try
        {
            StopHolding();
            _codec.CompressBlock(_pending.WrittenSpan, _compressed);
        }
        catch when (key is not null)
        {
            _cache!.Abandon(key);
            throw;
        }

        _pending.ResetWrittenCount();
        if (key is not null)
        {
            _cache!.Add(key, length, _compressed.WrittenSpan, crc64From == 0 ? Crc64 : null);
        }

        if (key is not null)
        {
            AppendRecipe(key);
            _blob.Write(_compressed.WrittenSpan);
            Offset += _compressed.WrittenCount;
        }
        else
        {
            WriteRaw(_compressed.WrittenSpan);
        }

        return Offset;
    }

    /// <summary>A frame the cache supplied: held back while all are, written otherwise; in the recipe by its key.</summary>
    private void WriteFrame(string key, ReadOnlyMemory<byte> frame)
    {
        AppendRecipe(key);
        if (_heldBack is { } pieces)
        {
            // The cache's bytes stay put (its memory tier never drops a frame it kept).
            pieces.Add(new HeldPiece(frame, IsFrame: true));
        }
        else
        {
            _blob.Write(frame.Span);
        }

        Offset += frame.Length;
    }

    private void AppendRecipe(string key)
    {
        if (_recipe is null)
        {
            return;
        }

        // "k" KEY "\n" for a frame, "r" LENGTH BYTES for other bytes: no two recipes read alike.
        Span<byte> line = stackalloc byte[key.Length + 2];
        line[0] = (byte)'k';
        System.Text.Encoding.ASCII.GetBytes(key, line[1..]);
        line[^1] = (byte)'\n';
        _recipe.Append(line);
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
        var key = _cache is null || data.IsEmpty ? null : FrameCache.KeyOf(_cacheCodec, DigestOf(data), data.Length);
        if (key is not null && _cache!.TryGet(key, data.Length, out var frame))
        {
            output.Write(frame.Bytes.Span);
            return;
        }

        _compressed.ResetWrittenCount();
        try
        {
            _codec.CompressBlock(data, _compressed);
        }
        catch when (key is not null)
        {
            _cache!.Abandon(key);
            throw;
        }

        if (key is not null)
        {
            _cache!.Add(key, data.Length, _compressed.WrittenSpan);
        }

        output.Write(_compressed.WrittenSpan);
    }

    private string DigestOf(ReadOnlySpan<byte> data)
    {
        _unnamed.Start(platform: data.Length > Sha256Hasher.ManagedLimit);
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
        if (_cache is not { MemoryCapacity: > 0 })
        {
            return null;
        }

        _unnamed.Start(platform: TarLength > Sha256Hasher.ManagedLimit);
        _unnamed.Append(_pending.WrittenSpan);
        return _unnamed.Finish();
    }

    /// <summary>Writes bytes to the blob outside any frame; nothing may be pending.</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        if (_pending.WrittenCount > 0)
        {
            throw new InvalidOperationException("a frame is still open");
        }

        if (_recipe is not null)
        {
            Span<byte> head = stackalloc byte[9];
            head[0] = (byte)'r';
            System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(head[1..], bytes.Length);
            _recipe.Append(head);
            _recipe.Append(bytes);
        }

        if (_heldBack is { } pieces)
        {
            pieces.Add(new HeldPiece(bytes.ToArray(), IsFrame: false));
        }
        else
        {
            _blob.Write(bytes);
        }

        Offset += bytes.Length;
    }

    public void Dispose()
    {
        _tar.Dispose();
        _unnamed.Dispose();
        _recipe?.Dispose();
    }
}

/// <summary>A piece of a blob held back: a frame of the tar (compressed), or other bytes (a skippable frame, a footer).</summary>
internal readonly record struct HeldPiece(ReadOnlyMemory<byte> Bytes, bool IsFrame);
