using ParallelDiff.Core;
using ParallelDiff.Core.Compression;

namespace ParallelDiff.Streams;

/// <summary>
/// One materialization's codec and cpu-dispatcher. Blocks outlive the stage that paired them with
/// it (<see cref="CompressionJobs"/>; the last ones are still compressing when it stops), so the
/// codec is reference-counted: one reference for that stage, one per block being compressed; the
/// last release disposes it, never while a block is still being compressed.
/// </summary>
internal sealed class BlockCompressor
{
    private readonly IBlockCodec _codec;
    private readonly DispatcherTaskScheduler _cpu;
    private int _references = 1;

    public BlockCompressor(IBlockCodec codec, DispatcherTaskScheduler cpu)
    {
        _codec = codec;
        _cpu = cpu;
    }

    /// <summary>A block that will be compressed (and so release its reference).</summary>
    public CompressionJob Hand(LayerBytes block)
    {
        Interlocked.Increment(ref _references);
        return new CompressionJob(block, this);
    }

    /// <summary>
    /// Compresses on the cpu-dispatcher into one unit, then releases the block: the compressor is
    /// the last to read it. The unit is rented too (a <see cref="PooledBufferWriter"/> over <see cref="LayerBufferPool"/>: fresh arrays piled up as large-object garbage), sized
    /// for every codec's worst case on incompressible data so it never grows; the file sink
    /// releases it once written.
    /// </summary>
    public Task<LayerBytes> CompressAsync(LayerBytes block) => _cpu.Run(() =>
    {
        // Given back unused when the compression fails; detached to the sink when it succeeds.
        using var unit = new PooledBufferWriter(block.Length + (block.Length >> 6) + 4096, LayerBufferPool.Rent, LayerBufferPool.Return);
        try
        {
            _codec.CompressBlock(block.Span, unit);
            var buffer = unit.Detach(out var written);
            return LayerBytes.Rented(buffer, written);
        }
        finally
        {
            block.Release();
            Release();
        }
    });

    /// <summary>
    /// Drops a reference. A block lost with an aborted stream never releases its own; its codec
    /// contexts are then freed by their finalizers, which is all an abort costs.
    /// </summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            _codec.Dispose();
        }
    }
}
