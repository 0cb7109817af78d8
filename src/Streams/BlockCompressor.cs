using System.Buffers;
using System.Runtime.InteropServices;
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
    /// the last to read it. The unit's array is wrapped, not copied: nothing writes to it afterwards.
    /// </summary>
    public Task<LayerBytes> CompressAsync(LayerBytes block) => _cpu.Run(() =>
    {
        try
        {
            var unit = new ArrayBufferWriter<byte>();
            _codec.CompressBlock(block.Span, unit);
            return MemoryMarshal.TryGetArray(unit.WrittenMemory, out var segment) && segment.Offset == 0
                ? LayerBytes.Of(segment.Array!, segment.Count)
                : LayerBytes.Of(unit.WrittenSpan.ToArray());
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
