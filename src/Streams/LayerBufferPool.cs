using System.Collections.Concurrent;

namespace ParallelDiff.Streams;

/// <summary>
/// The pipeline's multi-MiB buffers (tar blocks, compressed units), recycled with a hard cap on
/// what is kept idle. ArrayPool.Shared keeps a buffer per thread plus stacks per core for every
/// size class; with blocks rented on stream threads and returned on io and cpu threads, its
/// caches filled with 4 and 8 MiB arrays and a 100,000-file layer's RSS swung between 210 and
/// 300 MiB from run to run. Here at most <see cref="MaxIdle"/> buffers of a size wait for reuse;
/// more are left to the GC.
/// </summary>
internal static class LayerBufferPool
{
    /// <summary>
    /// Idle buffers kept per size: enough for the blocks in flight of a default pipeline (read-ahead
    /// 16 MiB = 4 blocks, plus those compressing and the sink's), not more.
    /// </summary>
    public const int MaxIdle = 12;

    /// <summary>Buffers are pooled in whole MiB: a layer's short last unit does not open a size class of its own.</summary>
    private const int Granule = 1 << 20;

    private static readonly ConcurrentDictionary<int, SizePool> Pools = new();

    /// <summary>
    /// A buffer of at least <paramref name="length"/> bytes, contents undefined. Under 1 MiB it is
    /// a plain array (not worth pooling); above, its length is rounded up to whole MiB.
    /// </summary>
    public static byte[] Rent(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        if (length < Granule)
        {
            return GC.AllocateUninitializedArray<byte>(length);
        }

        var rounded = (int)Math.Min(Array.MaxLength, ((long)length + Granule - 1) / Granule * Granule);
        return Pools.GetOrAdd(rounded, static _ => new SizePool()).TryTake(out var buffer)
            ? buffer
            : GC.AllocateUninitializedArray<byte>(rounded);
    }

    /// <summary>Hands a buffer from <see cref="Rent"/> back; never return one still in use, nor twice.</summary>
    public static void Return(byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (Pools.TryGetValue(buffer.Length, out var pool))
        {
            pool.TryKeep(buffer);
        }
    }

    private sealed class SizePool
    {
        private readonly ConcurrentQueue<byte[]> _idle = new();
        private int _count;

        public bool TryTake(out byte[] buffer)
        {
            if (_idle.TryDequeue(out buffer!))
            {
                Interlocked.Decrement(ref _count);
                return true;
            }

            return false;
        }

        public void TryKeep(byte[] buffer)
        {
            if (Interlocked.Increment(ref _count) > MaxIdle)
            {
                Interlocked.Decrement(ref _count);
                return;
            }

            _idle.Enqueue(buffer);
        }
    }
}
