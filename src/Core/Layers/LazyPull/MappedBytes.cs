using System.Buffers;

namespace ParallelDiff.Core.Layers.LazyPull;

/// <summary>
/// Bytes of a file mapping as a Memory: what a frame read back from <see cref="SpillFrames"/> is,
/// without a copy or a call. Valid while the mapping is (the spill file's, unmapped when the command
/// that owns it ends, after its last layer).
/// </summary>
internal sealed unsafe class MappedBytes(byte* start, int length) : MemoryManager<byte>
{
    public override Span<byte> GetSpan() => new(start, length);

    // The mapping does not move: pinning has nothing to do.
    public override MemoryHandle Pin(int elementIndex = 0) => new(start + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
