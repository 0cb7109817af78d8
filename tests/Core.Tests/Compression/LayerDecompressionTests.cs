using ParallelDiff.Core.Compression;
using Xunit;

namespace ParallelDiff.Core.Tests.Compression;

/// <summary>Our reader must handle what the reference tools write, and reject damaged blobs loudly.</summary>
public sealed class LayerDecompressionTests
{
    private static readonly byte[] PartA = TestData.Compressible((1024 * 1024) + 11, 40);
    private static readonly byte[] PartB = TestData.Mixed(300 * 1024, 41);

    [Theory]
    [InlineData(new byte[] { 0x1F, 0x8B, 0x08, 0x00 }, LayerCompression.Gzip)]
    [InlineData(new byte[] { 0x28, 0xB5, 0x2F, 0xFD }, LayerCompression.Zstd)]
    [InlineData(new byte[] { 0x04, 0x22, 0x4D, 0x18 }, LayerCompression.Lz4)]
    [InlineData(new byte[] { (byte)'e', (byte)'t', (byte)'c', (byte)'/' }, LayerCompression.None)]
    [InlineData(new byte[] { 0x28, 0xB5, 0x2F }, LayerCompression.None)]
    [InlineData(new byte[0], LayerCompression.None)]
    public void Detect_should_go_by_magic_number(byte[] first, LayerCompression expected) =>
        Assert.Equal(expected, LayerDecompression.Detect(first));

    [Theory]
    [InlineData("gzip", new[] { "-c" })]
    [InlineData("zstd", new[] { "-c", "-q" })]
    [InlineData("lz4", new[] { "-c" })]
    [InlineData("lz4", new[] { "-c", "-BD", "-B4" })]
    [InlineData("lz4", new[] { "-c", "-BD", "-BX", "--content-size", "-B5" })]
    [InlineData("lz4", new[] { "-c", "-9", "-BD" })]
    [InlineData("lz4", new[] { "-c", "--no-frame-crc", "-B4" })]
    public void Concatenated_tool_output_should_decode(string tool, string[] args)
    {
        // Two separate runs of the tool, concatenated: two members or two frames.
        var blob = ExternalTool.Run(tool, args, PartA).Concat(ExternalTool.Run(tool, args, PartB)).ToArray();
        BytesAssert.Equal(PartA.Concat(PartB).ToArray(), TestData.Decompress(blob), $"{tool} {string.Join(' ', args)}");
    }

    [Fact]
    public void Lz4_reader_should_skip_skippable_frames()
    {
        var frame = ExternalTool.Run("lz4", ["-c"], PartB);
        byte[] skippable = [0x5A, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 9, 9, 9];
        var blob = frame.Concat(skippable).Concat(frame).ToArray();
        BytesAssert.Equal(PartB.Concat(PartB).ToArray(), TestData.Decompress(blob), "frames around a skippable frame");
    }

    [Fact]
    public void Plain_tar_should_pass_through_even_when_shorter_than_a_magic()
    {
        Assert.Equal([1, 2], TestData.Decompress([1, 2]));
        Assert.Empty(TestData.Decompress([]));
    }

    [Theory]
    [InlineData(LayerCompression.Zstd, 3)]
    [InlineData(LayerCompression.Zstd, 100_000)]
    [InlineData(LayerCompression.Lz4, 3)]
    [InlineData(LayerCompression.Lz4, 100_000)]
    public void Truncated_blob_should_fail_rather_than_yield_a_short_tar(LayerCompression kind, int cutBytes)
    {
        using var codec = BlockCodecs.Create(kind);
        var blob = TestData.CompressSequential(codec, PartA, 256 * 1024);
        var e = Assert.ThrowsAny<Exception>(() => TestData.Decompress(blob[..^cutBytes]));
        Assert.True(e is InvalidDataException or EndOfStreamException, e.GetType().Name + ": " + e.Message);
    }

    [Fact]
    public void Gzip_reader_does_not_notice_truncation_so_callers_must_check_the_diff_id()
    {
        // A known .NET limitation (dotnet/runtime#47563; the fix, #61768, was backed out): when the
        // input ends inside a member, GZipStream just reports end of stream. This pins the
        // behaviour so the caveat in LayerDecompression is revisited if the runtime changes.
        using var codec = BlockCodecs.Create(LayerCompression.Gzip);
        var blob = TestData.CompressSequential(codec, PartA, 256 * 1024);
        var shortTar = TestData.Decompress(blob[..^100_000]);
        Assert.True(shortTar.Length < PartA.Length);
        Assert.True(PartA.AsSpan().StartsWith(shortTar));
    }

    [Theory]
    [InlineData(LayerCompression.Gzip)]
    [InlineData(LayerCompression.Zstd)]
    [InlineData(LayerCompression.Lz4)]
    public void Damaged_content_should_fail_a_checksum(LayerCompression kind)
    {
        using var codec = BlockCodecs.Create(kind);
        var blob = TestData.CompressSequential(codec, PartB, 64 * 1024);

        // Flip a bit in the middle, inside some unit's compressed data.
        blob[blob.Length / 2] ^= 0x10;
        Assert.ThrowsAny<Exception>(() => TestData.Decompress(blob));
    }

    [Fact]
    public void Lz4_damaged_content_should_name_the_failed_check()
    {
        using var codec = BlockCodecs.Create(LayerCompression.Lz4);
        var blob = TestData.CompressSequential(codec, TestData.Random(1000, 42), 64 * 1024);

        // A random block is stored raw, so this flip passes the decoder and only the checksum sees it.
        blob[100] ^= 0x01;
        var e = Assert.Throws<InvalidDataException>(() => TestData.Decompress(blob));
        Assert.Contains("content checksum", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Leave_open_should_keep_the_blob_stream_usable()
    {
        using var codec = BlockCodecs.Create(LayerCompression.Zstd);
        using var blob = new MemoryStream(TestData.CompressSequential(codec, PartB, 64 * 1024));
        using (var tar = LayerDecompression.OpenDecompressing(blob, leaveOpen: true))
        {
            tar.CopyTo(Stream.Null);
        }

        Assert.True(blob.CanRead);
        using (LayerDecompression.OpenDecompressing(blob))
        {
        }

        Assert.False(blob.CanRead);
    }
}
