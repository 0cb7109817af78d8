namespace ParallelDiff.Core.Layers;

/// <summary>A write-only pass-through that adds every write's length to a <see cref="LayerMeter"/>'s bytes out.</summary>
public sealed class MeteredWriteStream(Stream inner, LayerMeter meter) : WriteOnlyStream
{
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        inner.Write(buffer);
        meter.AddOut(buffer.Length);
    }

    public override void Flush() => inner.Flush();
}
