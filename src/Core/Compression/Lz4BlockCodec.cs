using System.Buffers;
using System.Buffers.Binary;
using K4os.Compression.LZ4;

namespace ParallelDiff.Core.Compression;

/// <summary>
/// One LZ4 frame per block (LZ4 frame format: a stream may hold several frames back to back, and
/// the lz4 tool decodes them in sequence). The frame is written here around K4os's raw block
/// encoder: descriptor with content size and content checksum, then the block cut into LZ4 data
/// blocks of at most 4 MiB marked independent, each stored raw when compression does not shrink
/// it, then the end mark and XXH32 of the content.
/// </summary>
internal sealed class Lz4BlockCodec : IBlockCodec
{
    private readonly LZ4Level _level;

    public Lz4BlockCodec(int level)
    {
        Level = level;

        // K4os runs its fast compressor below level 3 and LZ4HC from 3 to 12, matching the lz4 tool.
        _level = (LZ4Level)level;
    }

    public LayerCompression Kind => LayerCompression.Lz4;

    public int Level { get; }

    public int CompressBlock(ReadOnlySpan<byte> block, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var header = output.GetSpan(Lz4Frame.HeaderWithContentSizeLength);
        Lz4Frame.WriteHeader(header, block.Length);
        output.Advance(Lz4Frame.HeaderWithContentSizeLength);
        var total = Lz4Frame.HeaderWithContentSizeLength;

        for (var rest = block; !rest.IsEmpty;)
        {
            var chunk = rest[..Math.Min(rest.Length, Lz4Frame.MaxBlockLength4MiB)];
            rest = rest[chunk.Length..];
            total += WriteDataBlock(chunk, output);
        }

        var end = output.GetSpan(8);
        BinaryPrimitives.WriteUInt32LittleEndian(end, 0); // EndMark
        BinaryPrimitives.WriteUInt32LittleEndian(end[4..], Xxh32.Hash(block)); // content checksum
        output.Advance(8);
        return total + 8;
    }

    public void Dispose()
    {
    }

    private int WriteDataBlock(ReadOnlySpan<byte> chunk, IBufferWriter<byte> output)
    {
        var target = output.GetSpan(4 + Math.Max(LZ4Codec.MaximumOutputSize(chunk.Length), chunk.Length));
        var encoded = LZ4Codec.Encode(chunk, target[4..], _level);
        int length;
        if (encoded > 0 && encoded < chunk.Length)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(target, (uint)encoded);
            length = encoded;
        }
        else
        {
            // The format lets an incompressible block be stored as is, flagged by the size's high bit.
            BinaryPrimitives.WriteUInt32LittleEndian(target, Lz4Frame.UncompressedBlockBit | (uint)chunk.Length);
            chunk.CopyTo(target[4..]);
            length = chunk.Length;
        }

        output.Advance(4 + length);
        return 4 + length;
    }
}
