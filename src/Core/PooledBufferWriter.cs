using System.Buffers;

namespace ParallelDiff.Core;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over rented arrays, grown by renting a larger one. Fresh arrays
/// (MemoryStream, ArrayBufferWriter) were large-object garbage in two places: the compressor's
/// units (one per 4 MiB block, which the GC let pile up into hundreds of MiB of RSS next to the
/// pooled blocks) and index.json, rewritten whole for each group of a bulk export's finished
/// snapshots (a new array per doubling, zeroed and faulted in). The pool is the caller's choice:
/// ArrayPool.Shared by default, the layer pipeline's own for its units.
/// </summary>
public sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private readonly Func<int, byte[]> _rent;
    private readonly Action<byte[]> _giveBack;
    private byte[]? _buffer;
    private int _written;

    /// <param name="rent">Gives an array of at least the length asked (its contents undefined); ArrayPool.Shared's by default.</param>
    /// <param name="giveBack">Takes back an array <paramref name="rent"/> gave.</param>
    public PooledBufferWriter(int capacity, Func<int, byte[]>? rent = null, Action<byte[]>? giveBack = null)
    {
        _rent = rent ?? (length => ArrayPool<byte>.Shared.Rent(length));
        _giveBack = giveBack ?? (array => ArrayPool<byte>.Shared.Return(array));
        _buffer = _rent(Math.Max(capacity, 256));
    }

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => Buffer.AsSpan(0, _written);

    /// <summary>How many bytes were written so far.</summary>
    public int WrittenCount => _written;

    /// <summary>Forgets what was written, keeping the array (and its size) for what comes next.</summary>
    public void Clear() => _written = 0;

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

    /// <summary>Hands the array (its first <paramref name="written"/> bytes written) to the caller, who gives it back; the writer is done.</summary>
    public byte[] Detach(out int written)
    {
        var buffer = Buffer;
        written = _written;
        _buffer = null;
        return buffer;
    }

    /// <summary>Gives the array back unless it was detached; the writer is done.</summary>
    public void Dispose()
    {
        if (_buffer is not null)
        {
            _giveBack(_buffer);
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

        var larger = _rent(Math.Max(needed, checked(Buffer.Length * 2)));
        Buffer.AsSpan(0, _written).CopyTo(larger);
        _giveBack(Buffer);
        _buffer = larger;
    }
}
