using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using ParallelDiff.Core.Compression;
using Xunit;

namespace ParallelDiff.Core.Tests.Compression;

/// <summary>CRC-32 (gzip trailers) and XXH32 (LZ4 frames) against independent implementations.</summary>
public sealed class ChecksumTests
{
    [Fact]
    public void Crc32_should_match_the_standard_check_value() =>
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));

    [Fact]
    public void Crc32_should_match_python_zlib_and_be_incremental()
    {
        var data = TestData.Random(100_003, 50);
        var python = Encoding.ASCII.GetString(ExternalTool.Run(
            "python3", ["-c", "import sys,zlib; print(zlib.crc32(sys.stdin.buffer.read()))"], data));
        var expected = uint.Parse(python.Trim(), CultureInfo.InvariantCulture);

        Assert.Equal(expected, Crc32.Compute(data));
        Assert.Equal(expected, Crc32.Append(Crc32.Compute(data.AsSpan(0, 12_345)), data.AsSpan(12_345)));
    }

    [Theory]
    [InlineData("", 0x02CC5D05u)]
    [InlineData("abc", 0x32D153FFu)]
    public void Xxh32_should_match_known_values(string text, uint expected) =>
        Assert.Equal(expected, Xxh32.Hash(Encoding.ASCII.GetBytes(text)));

    [Theory]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    [InlineData(1000)]
    [InlineData(1_000_003)]
    public void Xxh32_should_match_the_lz4_tool_content_checksum(int length)
    {
        // lz4 ends each frame with XXH32 of the content (content checksum is on by default).
        var data = TestData.Random(length, length);
        var frame = ExternalTool.Run("lz4", ["-c"], data);
        Assert.Equal(BinaryPrimitives.ReadUInt32LittleEndian(frame.AsSpan(frame.Length - 4)), Xxh32.Hash(data));
    }

    [Fact]
    public void Xxh32_incremental_should_equal_one_shot_for_any_split()
    {
        var data = TestData.Random(333, 51);
        var whole = Xxh32.Hash(data);
        foreach (var split in new[] { 0, 1, 15, 16, 17, 100, 332, 333 })
        {
            var middle = Math.Min(split + 3, data.Length);
            var h = new Xxh32();
            h.Append(data.AsSpan(0, split));
            h.Append(data.AsSpan(split, middle - split));
            h.Append(data.AsSpan(middle));
            Assert.Equal(whole, h.Digest());
        }
    }
}
