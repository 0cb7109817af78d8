using System.Buffers;

namespace ParallelDiff.Streams;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over a buffer rented from LayerBufferPool, handed on as
/// <see cref="LayerBytes"/> without a copy. A compressed unit per 4 MiB block in fresh arrays
/// (ArrayBufferWriter) was large-object garbage the GC let pile up into hundreds of MiB of RSS
/// next to the pooled blocks; rented, the units recycle like the blocks do.
/// </summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>
{
    private byte[]? _buffer;
    private int _written;

    public PooledBufferWriter(int capacity) => _buffer = LayerBufferPool.Rent(Math.Max(capacity, 256));

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Buffer.Length - _written);
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return Buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return Buffer.AsSpan(_written);
    }

    /// <summary>The bytes written, now the caller's to release; the writer is done.</summary>
    public LayerBytes Detach()
    {
        var bytes = LayerBytes.Rented(Buffer, _written);
        _buffer = null;
        return bytes;
    }

    /// <summary>Gives the buffer back unused (the compression failed); the writer is done.</summary>
    public void Abandon()
    {
        if (_buffer is not null)
        {
            LayerBufferPool.Return(_buffer);
            _buffer = null;
        }
    }

    private byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(PooledBufferWriter));

    private void Reserve(int sizeHint)
    {
        var needed = _written + Math.Max(sizeHint, 1);
        if (needed <= Buffer.Length)
        {
            return;
        }

        var larger = LayerBufferPool.Rent(Math.Max(needed, Buffer.Length * 2));
        Buffer.AsSpan(0, _written).CopyTo(larger);
        LayerBufferPool.Return(Buffer);
        _buffer = larger;
    }
}
