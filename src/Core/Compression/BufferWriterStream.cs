using System.Buffers;

namespace ParallelDiff.Core.Compression;

/// <summary>
/// A write-only Stream onto an <see cref="IBufferWriter{T}"/>, so that DeflateStream (which only
/// writes to Streams) can deliver a block's compressed bytes straight into the caller's buffer.
/// </summary>
internal sealed class BufferWriterStream(IBufferWriter<byte> output) : WriteOnlyStream
{
    public long Written { get; private set; }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        output.Write(buffer);
        Written += buffer.Length;
    }

    public override void WriteByte(byte value) => Write([value]);
}
