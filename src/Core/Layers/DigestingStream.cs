namespace ParallelDiff.Core.Layers;

/// <summary>
/// A write-through SHA-256 tee: a stream that hashes and counts every byte on its way to the inner stream. A
/// layer needs two digests of one pass: the diffID (sha256 of the uncompressed tar) and the blob
/// digest (sha256 of the compressed bytes); a tee in front of the compressor and one behind it
/// give both without reading anything twice.
/// </summary>
public sealed class DigestingStream : Stream
{
    private readonly Stream _inner;
    private readonly bool _leaveOpen;
    private readonly Sha256Hasher _hash = new();
    private long _length;
    private byte[]? _final;

    /// <param name="inner">Where the bytes go; <see cref="Stream.Null"/> to only hash them.</param>
    /// <param name="leaveOpen">Leave <paramref name="inner"/> open when this stream is disposed.</param>
    public DigestingStream(Stream inner, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _leaveOpen = leaveOpen;
    }

    /// <summary>The digest of the bytes written so far, as an OCI digest: "sha256:" and 64 lower-case hex digits.</summary>
    public string Digest => Sha256Text.FromHash(DigestBytes);

    /// <summary>The raw 32-byte SHA-256 of the bytes written so far; still available after Dispose.</summary>
    public byte[] DigestBytes => _final is null ? _hash.CurrentHash() : (byte[])_final.Clone();

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => _final is null;

    /// <summary>The number of bytes written so far (the stream cannot seek, so this is also its position).</summary>
    public override long Length => _length;

    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException();
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_final is not null, this);
        _inner.Write(buffer);
        _hash.Append(buffer);
        _length += buffer.Length;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void WriteByte(byte value) => Write([value]);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_final is not null, this);
        await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        _hash.Append(buffer.Span);
        _length += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() => _inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && _final is null)
        {
            // Keep the digest: callers typically read it after the using block that wrote the layer.
            _final = _hash.CurrentHash();
            _hash.Dispose();
            if (!_leaveOpen)
            {
                _inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
