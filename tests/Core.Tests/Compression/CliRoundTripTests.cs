using ParallelDiff.Core.Compression;
using Xunit;

namespace ParallelDiff.Core.Tests.Compression;

/// <summary>
/// Blobs written by BlockCompressingStream must decode with the reference tools (which read
/// concatenated members/frames) and with our own reader, to exactly the input.
/// </summary>
public sealed class CliRoundTripTests
{
    private const int SmallBlock = 64 * 1024;
    private const int MiB = 1024 * 1024;

    public static TheoryData<LayerCompression, string> Cases()
    {
        var data = new TheoryData<LayerCompression, string>();
        foreach (var kind in new[] { LayerCompression.Gzip, LayerCompression.Zstd, LayerCompression.Lz4 })
        {
            foreach (var name in CaseNames)
            {
                data.Add(kind, name);
            }
        }

        return data;
    }

    private static readonly string[] CaseNames =
        ["empty", "one-byte", "exactly-one-block", "block-plus-one", "random-block", "several-mib-mixed", "six-mib-block"];

    private static (byte[] Input, int BlockSize) Case(string name) => name switch
    {
        "empty" => ([], SmallBlock),
        "one-byte" => ([0x42], SmallBlock),
        "exactly-one-block" => (TestData.Compressible(SmallBlock, 1), SmallBlock),
        "block-plus-one" => (TestData.Compressible(SmallBlock + 1, 2), SmallBlock),
        "random-block" => (TestData.Random(SmallBlock, 3), SmallBlock),
        "several-mib-mixed" => (TestData.Mixed((5 * MiB) + 123, 4), MiB),

        // Larger than the LZ4 frame's 4 MiB data-block maximum, so one frame carries two data blocks.
        "six-mib-block" => (TestData.Compressible((6 * MiB) + 5, 5), 6 * MiB),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Blob_should_decode_with_the_reference_tool_and_our_reader(LayerCompression kind, string caseName)
    {
        var (input, blockSize) = Case(caseName);
        using var codec = BlockCodecs.Create(kind);
        var blob = TestData.CompressSequential(codec, input, blockSize);

        Assert.NotEmpty(blob);
        Assert.Equal(kind, LayerDecompression.Detect(blob));
        BytesAssert.Equal(input, ExternalTool.CliDecompress(kind, blob), $"{kind} CLI decode of {caseName}");
        BytesAssert.Equal(input, TestData.Decompress(blob), $"OpenDecompressing of {kind} {caseName}");
        if (kind == LayerCompression.Gzip)
        {
            BytesAssert.Equal(input, ExternalTool.PythonGunzip(blob), $"python gzip.decompress of {caseName}");
        }
    }

    [Theory]
    [InlineData(LayerCompression.Gzip, 1)]
    [InlineData(LayerCompression.Gzip, 9)]
    [InlineData(LayerCompression.Zstd, 1)]
    [InlineData(LayerCompression.Zstd, 19)]
    [InlineData(LayerCompression.Lz4, 9)]
    [InlineData(LayerCompression.Lz4, 12)]
    public void Non_default_levels_should_round_trip_through_the_tool(LayerCompression kind, int level)
    {
        var input = TestData.Mixed((2 * MiB) + 17, 6);
        using var codec = BlockCodecs.Create(kind, level);
        var blob = TestData.CompressSequential(codec, input, MiB);
        BytesAssert.Equal(input, ExternalTool.CliDecompress(kind, blob), $"{kind} level {level}");
    }

    [Fact]
    public void None_should_write_the_input_unchanged()
    {
        var input = TestData.Mixed((3 * SmallBlock) + 9, 7);
        using var codec = BlockCodecs.Create(LayerCompression.None);
        BytesAssert.Equal(input, TestData.CompressSequential(codec, input, SmallBlock), "identity blob");
        Assert.Empty(TestData.CompressSequential(codec, [], SmallBlock));
        BytesAssert.Equal(input, TestData.Decompress(input), "plain tar through OpenDecompressing");
    }

    [Fact]
    public void Gzip_empty_input_should_be_one_minimal_member_with_fixed_header()
    {
        using var codec = BlockCodecs.Create(LayerCompression.Gzip);
        var blob = TestData.CompressSequential(codec, [], SmallBlock);

        // ID1 ID2 CM FLG, MTIME 0, XFL 0, OS 255 | empty final fixed-Huffman block | CRC32 0, ISIZE 0.
        byte[] expected = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255, 0x03, 0x00, 0, 0, 0, 0, 0, 0, 0, 0];
        Assert.Equal(expected, blob);
    }

    [Fact]
    public void Gzip_members_should_carry_the_fixed_header_at_every_block()
    {
        var input = TestData.Compressible((2 * SmallBlock) + 100, 8);
        using var codec = BlockCodecs.Create(LayerCompression.Gzip, 9);
        var units = new System.Buffers.ArrayBufferWriter<byte>();
        codec.CompressBlock(input.AsSpan(0, SmallBlock), units);
        var first = units.WrittenSpan.ToArray();

        Assert.Equal([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 2, 255], first[..10]);
        var crc = BitConverter.ToUInt32(first, first.Length - 8);
        var isize = BitConverter.ToUInt32(first, first.Length - 4);
        Assert.Equal(Crc32.Compute(input.AsSpan(0, SmallBlock)), crc);
        Assert.Equal((uint)SmallBlock, isize);
    }

    [Theory]
    [InlineData(LayerCompression.Gzip)]
    [InlineData(LayerCompression.Zstd)]
    [InlineData(LayerCompression.Lz4)]
    public void Units_should_decode_independently_of_their_neighbours(LayerCompression kind)
    {
        // Reordering units reorders the content only if no unit refers to another's bytes.
        var blocks = new[] { TestData.Compressible(SmallBlock, 10), TestData.Compressible(SmallBlock, 10), TestData.Compressible(999, 11) };
        using var codec = BlockCodecs.Create(kind);
        var reversed = new System.Buffers.ArrayBufferWriter<byte>();
        foreach (var block in blocks.Reverse())
        {
            codec.CompressBlock(block, reversed);
        }

        var expected = blocks.Reverse().SelectMany(b => b).ToArray();
        BytesAssert.Equal(expected, ExternalTool.CliDecompress(kind, reversed.WrittenSpan), $"{kind} units in reverse order");
    }

    [Fact]
    public void Zstd_blob_should_hold_one_frame_per_block()
    {
        var input = TestData.Compressible((2 * SmallBlock) + 3, 12);
        using var codec = BlockCodecs.Create(LayerCompression.Zstd);
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, TestData.CompressSequential(codec, input, SmallBlock));
            var listing = System.Text.Encoding.UTF8.GetString(ExternalTool.Run("zstd", ["-lv", path], []));
            Assert.Contains("# Zstandard Frames: 3", listing, StringComparison.Ordinal);
            Assert.Contains("Check: XXH64", listing, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Lz4_frame_should_declare_independent_blocks_content_size_and_checksum()
    {
        using var codec = BlockCodecs.Create(LayerCompression.Lz4);
        var unit = new System.Buffers.ArrayBufferWriter<byte>();
        codec.CompressBlock(TestData.Compressible(12345, 13), unit);
        var frame = unit.WrittenSpan;

        Assert.Equal([0x04, 0x22, 0x4D, 0x18], frame[..4].ToArray());
        Assert.Equal(0x40 | 0x20 | 0x08 | 0x04, frame[4]); // version 01, B.Indep, C.Size, C.Checksum
        Assert.Equal(0x70, frame[5]); // 4 MiB block maximum
        Assert.Equal(12345UL, BitConverter.ToUInt64(frame[6..14]));
        Assert.Equal(0u, BitConverter.ToUInt32(frame[^8..^4])); // EndMark
    }
}
