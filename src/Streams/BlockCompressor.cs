using System.Buffers;
using System.Runtime.InteropServices;
using Akka.IO;
using ParallelDiff.Core.Compression;

namespace ParallelDiff.Streams;

/// <summary>
/// One materialization's codec and cpu-dispatcher. Blocks outlive the stage that cut them (the
/// last ones are still compressing when the cutter stops), so the codec is reference-counted:
/// one reference for the cutter, one per block handed out; the last release disposes it, never
/// while a block is still being compressed.
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
    public Block Hand(byte[] buffer, int length)
    {
        Interlocked.Increment(ref _references);
        return new Block(buffer, length, this);
    }

    /// <summary>
    /// Compresses on the cpu-dispatcher into one unit. The unit's array is wrapped, not copied:
    /// nothing writes to it afterwards.
    /// </summary>
    public Task<ByteString> CompressAsync(Block block) => _cpu.Run(() =>
    {
        try
        {
            var unit = new ArrayBufferWriter<byte>();
            _codec.CompressBlock(block.Span, unit);
            return MemoryMarshal.TryGetArray(unit.WrittenMemory, out var segment)
                ? ByteString.FromBytes(segment)
                : ByteString.FromBytes(unit.WrittenSpan.ToArray());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(block.Buffer);
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
