using System.Buffers;

namespace ParallelDiff.Core.Compression;

/// <summary>The "none" codec: a block's unit is the block itself, so the blob is the plain tar.</summary>
internal sealed class IdentityBlockCodec : IBlockCodec
{
    public LayerCompression Kind => LayerCompression.None;

    public int Level => 0;

    public int CompressBlock(ReadOnlySpan<byte> block, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Write(block);
        return block.Length;
    }

    public void Dispose()
    {
    }
}
