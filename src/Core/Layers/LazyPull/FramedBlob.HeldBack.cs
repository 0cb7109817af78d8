using System.Buffers;
using System.Runtime.InteropServices;
using ParallelDiff.Core.Compression;

namespace ParallelDiff.Core.Layers.LazyPull;

/// <summary>
/// Holding a blob back: while every frame comes from the cache, the blob's pieces are kept (the
/// cached frames by reference), not written, so that a copy of a tree written before, whose blob
/// its destination already holds, is not written at all (LazyPullLayer.WriteBlob decides at the end).
/// </summary>
internal sealed partial class FramedBlob
{
    // The blob's pieces held back, not written, while every frame so far came from the cache: a copy
    // of a tree written before may turn out to be a blob its destination holds already, and then is
    // not written at all. Null once a frame had to be compressed (or without a cache).
    private PooledList<HeldPiece>? _heldBack;

    // While pieces are held and the cache still keeps every frame it is given, the tar is not hashed
    // either: a recipe made before names the diffID too, and otherwise the held frames are
    // decompressed to hash them (StopDeferringTar). Once the cache is full a copy is likely to meet a
    // frame it no longer has, and decompressing all it held before that cost more than hashing
    // (ten copies with the default cache.memory were a seventh slower): the tar is then hashed
    // as it comes, held or not.
    private bool _tarDeferred;
    private string? _knownTarDigest;

    /// <summary>Whether nothing was written to the blob stream yet: every piece so far is held back (see the constructor).</summary>
    public bool HeldBack => _heldBack is not null;

    /// <summary>Forgets the pieces held back: the blob they make is already where it is going.</summary>
    /// <param name="tarDigest">The diffID the same recipe made before (<see cref="KnownBlob.TarDigest"/>).</param>
    public void DropHeldBack(string tarDigest)
    {
        if (_heldBack is not null)
        {
            ReleaseHeld();
            AdoptTarDigest(tarDigest);
        }
    }

    /// <summary>Writes the pieces held back, in order, and writes every later piece at once.</summary>
    /// <param name="tarDigest">
    /// The diffID the same recipe made before, when known; otherwise the held frames are
    /// decompressed to hash the tar they hold.
    /// </param>
    public void WriteHeldBack(string? tarDigest)
    {
        if (_heldBack is not null && tarDigest is not null)
        {
            AdoptTarDigest(tarDigest);
        }

        StopHolding();
    }

    /// <summary>A frame with its cache key: held back while all are, written otherwise; in the recipe by its key.</summary>
    private void WriteFrame(string key, CachedFrame frame)
    {
        _recipe?.AddFrame(key);
        if (_heldBack is { } pieces)
        {
            // The cache's bytes stay put (its memory tier never drops a frame it kept). A frame read
            // back from its spill file is a copy: held by its place, read again if it is written, so
            // that a copy of a tree held back whole costs no memory for it.
            pieces.Add(frame.Spilled is { } place ? new HeldPiece(default, IsFrame: true, place) : new HeldPiece(frame.Bytes, IsFrame: true));
        }
        else
        {
            _blob.Write(frame.Bytes.Span);
        }

        Offset += frame.Bytes.Length;
    }

    /// <summary>The tar not hashed while held is the one a recipe made before: its digest is taken as the diffID.</summary>
    private void AdoptTarDigest(string tarDigest)
    {
        if (_tarDeferred)
        {
            _tarDeferred = false;
            _knownTarDigest = tarDigest;
        }
    }

    /// <summary>
    /// Ends the holding back (a frame had to be compressed, or the layer ends without its blob
    /// held): the tar held so far is hashed if it was not (its frames decompressed, then the current
    /// frame's bytes), the held pieces written.
    /// </summary>
    private void StopHolding()
    {
        if (_heldBack is not { } pieces)
        {
            return;
        }

        StopDeferringTar(pieces);
        for (var i = 0; i < pieces.Count; i++)
        {
            _blob.Write(pieces[i].Content.Span);
        }

        ReleaseHeld();
    }

    /// <summary>
    /// A copy of bytes written outside frames while held (zstd:chunked's compressed TOC and
    /// tar-split, several MiB a layer), in a rented array: new arrays for every copy of an export
    /// were pages faulted in anew each time. <see cref="ReleaseHeld"/> gives it back.
    /// </summary>
    private static ReadOnlyMemory<byte> HoldCopy(ReadOnlySpan<byte> bytes)
    {
        var array = ArrayPool<byte>.Shared.Rent(bytes.Length);
        bytes.CopyTo(array);
        return array.AsMemory(0, bytes.Length);
    }

    /// <summary>
    /// Ends the holding: the pieces' list and the arrays of the pieces that are not frames (every one
    /// a <see cref="HoldCopy"/>; frames are the cache's) go back to their pools. Nothing may read the
    /// held pieces after.
    /// </summary>
    private void ReleaseHeld()
    {
        if (_heldBack is not { } pieces)
        {
            return;
        }

        _heldBack = null;
        for (var i = 0; i < pieces.Count; i++)
        {
            if (!pieces[i].IsFrame && MemoryMarshal.TryGetArray(pieces[i].Bytes, out var copy))
            {
                ArrayPool<byte>.Shared.Return(copy.Array!);
            }
        }

        pieces.Dispose();
    }

    /// <summary>Hashes the tar held so far and the current frame's bytes, and from then on the tar as it comes.</summary>
    private void StopDeferringTar(PooledList<HeldPiece> pieces)
    {
        if (!_tarDeferred)
        {
            return;
        }

        using (var frames = new HeldFramesStream(pieces))
        using (var tar = LayerDecompression.OpenDecompressing(frames, _codec.Kind))
        {
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

        _tar.Append(_pending.WrittenSpan);
        _tarDeferred = false;
    }
}

/// <summary>A piece of a blob held back: a frame of the tar (compressed), or other bytes (a skippable frame, a footer).</summary>
/// <param name="Spilled">Where a frame lies in the cache's spill file, instead of <paramref name="Bytes"/>.</param>
internal readonly record struct HeldPiece(ReadOnlyMemory<byte> Bytes, bool IsFrame, SpilledFrame? Spilled = null)
{
    /// <summary>The piece's bytes: read again from the spill file for a spilled frame.</summary>
    public ReadOnlyMemory<byte> Content => Spilled is { } place ? place.Read() : Bytes;
}
