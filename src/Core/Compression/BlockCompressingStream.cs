using System.Buffers;

namespace ParallelDiff.Core.Compression;

/// <summary>
/// The sequential reference path: a write-only stream that cuts what is written into blocks of
/// exactly <see cref="BlockSize"/> bytes, compresses each with <see cref="IBlockCodec"/> as an
/// independent unit, and writes the units in order to the inner stream.
/// </summary>
/// <remarks>
/// The blob is a function of the uncompressed bytes, the codec and the block size only:
/// block k holds bytes [k·BlockSize, (k+1)·BlockSize); the last block holds what remains; an
/// empty input still yields one (empty) unit, so every blob decodes as a valid stream. A parallel
/// pipeline that follows the same rule produces the same bytes. For that reason
/// <see cref="Flush"/> never cuts a short block — only <see cref="Finish"/> (or Dispose) does.
/// The codec is borrowed, not disposed.
/// </remarks>
public sealed class BlockCompressingStream : Stream
{
    public const int MaxBlockSize = 256 * 1024 * 1024;

    /// <summary>
    /// The block buffer starts this small and doubles up to <see cref="BlockSize"/> as bytes
    /// arrive: a one-file layer is a few KiB, and renting the whole 4 MiB block for it was a
    /// large-object allocation that cost a full collection in a short process.
    /// </summary>
    internal const int FirstBufferSize = 64 * 1024;

    private readonly Stream _inner;
    private readonly IBlockCodec _codec;
    private readonly bool _leaveOpen;
    private readonly ArrayBufferWriter<byte> _units;
    private byte[]? _block;
    private int _filled;
    private bool _finished;

    public BlockCompressingStream(Stream inner, IBlockCodec codec, int blockSize, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(codec);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(blockSize, MaxBlockSize);
        if (!inner.CanWrite)
        {
            throw new ArgumentException("the inner stream is not writable", nameof(inner));
        }

        _inner = inner;
        _codec = codec;
        _leaveOpen = leaveOpen;
        BlockSize = blockSize;
        _block = ArrayPool<byte>.Shared.Rent(Math.Min(blockSize, FirstBufferSize));
        _units = new ArrayBufferWriter<byte>();
    }

    public int BlockSize { get; }

    /// <summary>Bytes written to this stream so far.</summary>
    public long UncompressedLength { get; private set; }

    /// <summary>Bytes written to the inner stream so far.</summary>
    public long CompressedLength { get; private set; }

    /// <summary>Units (members or frames) written so far.</summary>
    public long BlockCount { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_finished;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ThrowIfFinished();
        while (!buffer.IsEmpty)
        {
            buffer = buffer[Stage(buffer)..];
            if (_units.WrittenCount > 0)
            {
                _inner.Write(_units.WrittenSpan);
                _units.ResetWrittenCount();
            }
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void WriteByte(byte value) => Write([value]);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfFinished();
        while (!buffer.IsEmpty)
        {
            buffer = buffer[Stage(buffer.Span)..];
            if (_units.WrittenCount > 0)
            {
                await _inner.WriteAsync(_units.WrittenMemory, cancellationToken).ConfigureAwait(false);
                _units.ResetWrittenCount();
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Flushes the inner stream; a partly filled block stays buffered (see remarks).</summary>
    public override void Flush() => _inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    /// <summary>Compresses the last, possibly short or empty, block and flushes. Later writes throw.</summary>
    public void Finish()
    {
        if (_finished)
        {
            return;
        }

        CompressFinalBlock();
        _inner.Write(_units.WrittenSpan);
        _units.ResetWrittenCount();
        _inner.Flush();
    }

    public async ValueTask FinishAsync(CancellationToken cancellationToken = default)
    {
        if (_finished)
        {
            return;
        }

        CompressFinalBlock();
        await _inner.WriteAsync(_units.WrittenMemory, cancellationToken).ConfigureAwait(false);
        _units.ResetWrittenCount();
        await _inner.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        if (_block is not null)
        {
            try
            {
                await FinishAsync().ConfigureAwait(false);
            }
            finally
            {
                ReleaseBuffer();
                if (!_leaveOpen)
                {
                    await _inner.DisposeAsync().ConfigureAwait(false);
                }
            }
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _block is not null)
        {
            try
            {
                Finish();
            }
            finally
            {
                ReleaseBuffer();
                if (!_leaveOpen)
                {
                    _inner.Dispose();
                }
            }
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// Takes bytes from <paramref name="data"/> into the current block, compressing it into
    /// <see cref="_units"/> when it fills; returns how many bytes were taken. A whole block at
    /// the start of an empty buffer is compressed in place, saving the copy.
    /// </summary>
    private int Stage(ReadOnlySpan<byte> data)
    {
        var block = _block!;
        if (_filled == 0 && data.Length >= BlockSize)
        {
            CompressUnit(data[..BlockSize]);
            return BlockSize;
        }

        var take = Math.Min(BlockSize - _filled, data.Length);
        if (_filled + take > block.Length)
        {
            block = Grow(_filled + take);
        }

        data[..take].CopyTo(block.AsSpan(_filled));
        _filled += take;
        if (_filled == BlockSize)
        {
            CompressUnit(block.AsSpan(0, BlockSize));
            _filled = 0;
        }

        return take;
    }

    private byte[] Grow(int needed)
    {
        var old = _block!;
        var grown = ArrayPool<byte>.Shared.Rent(Math.Min(BlockSize, Math.Max(needed, old.Length * 2)));
        old.AsSpan(0, _filled).CopyTo(grown);
        _block = grown;
        ArrayPool<byte>.Shared.Return(old);
        return grown;
    }

    private void CompressFinalBlock()
    {
        ObjectDisposedException.ThrowIf(_block is null, this);
        _finished = true;
        if (_filled > 0 || BlockCount == 0)
        {
            CompressUnit(_block.AsSpan(0, _filled));
            _filled = 0;
        }
    }

    private void CompressUnit(ReadOnlySpan<byte> block)
    {
        CompressedLength += _codec.CompressBlock(block, _units);
        UncompressedLength += block.Length;
        BlockCount++;
    }

    private void ThrowIfFinished()
    {
        ObjectDisposedException.ThrowIf(_block is null, this);
        if (_finished)
        {
            throw new InvalidOperationException("the compressed stream is finished; no more bytes can be written");
        }
    }

    private void ReleaseBuffer()
    {
        var block = _block;
        _block = null;
        if (block is not null)
        {
            ArrayPool<byte>.Shared.Return(block);
        }
    }
}
