
namespace ParallelDiff.Streams;

/// <summary>
/// A run of layer bytes in stream order, viewed in place: a tar block or a compressed unit in a
/// buffer rented from LayerBufferPool, or any bytes the GC owns.
/// </summary>
/// <remarks>
/// Ownership: one stage holds a LayerBytes at a time, and the one that reads its bytes last calls
/// <see cref="Release"/>: the compressor for a block it compresses, the file sink for the units
/// and for an uncompressed layer's blocks (which pass through to the file without a copy). A
/// rented buffer thus goes back to the pool once, after its last read; a second release throws
/// instead of handing one buffer to two renters. Bytes lost with an aborted stream are never
/// released and fall to the GC, which is all an abort costs.
/// </remarks>
public sealed class LayerBytes
{
    private readonly byte[] _array;
    private readonly bool _rented;
    private int _released;

    private LayerBytes(byte[] array, int length, bool rented)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, array.Length);
        _array = array;
        Length = length;
        _rented = rented;
    }

    public int Length { get; }

    /// <exception cref="ObjectDisposedException">The bytes were released: their buffer may already be someone else's.</exception>
    public ReadOnlySpan<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _released) != 0, this);
            return _array.AsSpan(0, Length);
        }
    }

    /// <summary>All of <paramref name="array"/>, which the GC owns (wrapped, not copied).</summary>
    public static LayerBytes Of(byte[] array)
    {
        ArgumentNullException.ThrowIfNull(array);
        return new LayerBytes(array, array.Length, rented: false);
    }

    /// <summary>The first <paramref name="length"/> bytes of a buffer rented from LayerBufferPool; <see cref="Release"/> returns it.</summary>
    internal static LayerBytes Rented(byte[] buffer, int length) => new(buffer, length, rented: true);

    /// <summary>Done with the bytes: a rented buffer goes back to the pool. Once only.</summary>
    /// <exception cref="InvalidOperationException">Released before.</exception>
    public void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) != 0)
        {
            throw new InvalidOperationException("layer bytes released twice: their buffer would go back to the pool twice");
        }

        if (_rented)
        {
            LayerBufferPool.Return(_array);
        }
    }
}
