namespace ParallelDiff.Core.Tar;

/// <summary>
/// The data of the current tar entry: a read-only window of exactly its size over the archive.
/// It goes dead when the reader moves on, so stale reads cannot consume the next entry's bytes.
/// </summary>
internal sealed class TarEntryStream : Stream
{
    private TarReader? _reader;
    private readonly long _length;

    public TarEntryStream(TarReader reader, long length)
    {
        _reader = reader;
        _length = length;
        Remaining = length;
    }

    public long Remaining { get; private set; }

    public override bool CanRead => _reader is not null;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position
    {
        get => _length - Remaining;
        set => throw new NotSupportedException("a tar entry's data is read in order");
    }

    public void Detach() => _reader = null;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var reader = _reader ?? throw new InvalidOperationException("the tar reader has moved past this entry");
        if (Remaining == 0 || buffer.IsEmpty)
        {
            return 0;
        }

        var want = (int)Math.Min(buffer.Length, Remaining);
        var got = reader.ReadData(buffer[..want]);
        if (got == 0)
        {
            throw new TarFormatException("the archive ends inside an entry's data", reader.Position);
        }

        Remaining -= got;
        return got;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("a tar entry's data is read in order");

    public override void SetLength(long value) => throw new NotSupportedException("a tar entry's data is read-only");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("a tar entry's data is read-only");
}
