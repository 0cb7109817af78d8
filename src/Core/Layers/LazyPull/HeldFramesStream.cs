using ParallelDiff.Core.Compression;

namespace ParallelDiff.Core.Layers.LazyPull;

/// <summary>
/// The compressed frames among a blob's held-back pieces, one after another, as a stream a
/// decompressor reads (FramedBlob's catch-up of the tar hash); the other pieces are not tar.
/// </summary>
internal sealed class HeldFramesStream(IReadOnlyList<HeldPiece> pieces) : ForwardReadStream
{
    private int _piece;
    private int _offset;

    // The current frame's bytes, read once (a spilled frame is read from its file).
    private ReadOnlyMemory<byte>? _current;

    public override int Read(Span<byte> buffer)
    {
        while (_piece < pieces.Count)
        {
            var piece = pieces[_piece];
            var bytes = piece.IsFrame ? _current ??= piece.Content : default;
            if (!piece.IsFrame || _offset == bytes.Length)
            {
                _piece++;
                _offset = 0;
                _current = null;
                continue;
            }

            var n = Math.Min(buffer.Length, bytes.Length - _offset);
            bytes.Span.Slice(_offset, n).CopyTo(buffer);
            _offset += n;
            return n;
        }

        return 0;
    }
}
