using ParallelDiff.Core.Compression;

namespace ParallelDiff.Core.Layers.LazyPull;

/// <summary>
/// The compressed frames among a blob's held-back pieces, one after another, as a stream a
/// decompressor reads (FramedBlob's catch-up of the tar hash); the other pieces are not tar.
/// </summary>
internal sealed class HeldFramesStream(List<HeldPiece> pieces) : ForwardReadStream
{
    private int _piece;
    private int _offset;

    public override int Read(Span<byte> buffer)
    {
        while (_piece < pieces.Count)
        {
            var piece = pieces[_piece];
            if (!piece.IsFrame || _offset == piece.Bytes.Length)
            {
                _piece++;
                _offset = 0;
                continue;
            }

            var n = Math.Min(buffer.Length, piece.Bytes.Length - _offset);
            piece.Bytes.Span.Slice(_offset, n).CopyTo(buffer);
            _offset += n;
            return n;
        }

        return 0;
    }
}
