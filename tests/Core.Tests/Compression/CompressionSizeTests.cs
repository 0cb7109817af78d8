using ParallelDiff.Core.Compression;
using Xunit;
using Xunit.Abstractions;

namespace ParallelDiff.Core.Tests.Compression;

/// <summary>Independent frames cost some ratio; this bounds the cost against the zstd tool on one stream.</summary>
public sealed class CompressionSizeTests(ITestOutputHelper output)
{
    private const int MiB = 1024 * 1024;

    [Fact]
    public void Zstd_level3_with_4MiB_blocks_should_be_within_2_percent_of_the_zstd_tool()
    {
        var input = TestData.Compressible(16 * MiB, 30);
        using var codec = BlockCodecs.Create(LayerCompression.Zstd, 3);
        var ours = TestData.CompressSequential(codec, input, 4 * MiB).Length;
        var tool = ExternalTool.Run("zstd", ["-3", "-c", "-q"], input).Length;

        output.WriteLine($"input {input.Length} B; ours (4 frames of 4 MiB) {ours} B; zstd -3 {tool} B; ratio {(double)ours / tool:F4}");
        Assert.InRange((double)ours / tool, 0.98, 1.02);
    }

    [Theory]
    [InlineData(LayerCompression.Gzip, "gzip", "-6")]
    [InlineData(LayerCompression.Lz4, "lz4", "-1")]
    public void Other_codecs_should_be_close_to_their_tool(LayerCompression kind, string tool, string level)
    {
        var input = TestData.Compressible(8 * MiB, 31);
        using var codec = BlockCodecs.Create(kind);
        var ours = TestData.CompressSequential(codec, input, 4 * MiB).Length;
        var theirs = ExternalTool.Run(tool, [level, "-c"], input).Length;

        output.WriteLine($"{kind}: input {input.Length} B; ours {ours} B; {tool} {level} {theirs} B; ratio {(double)ours / theirs:F4}");
        Assert.InRange((double)ours / theirs, 0.90, 1.10);
    }
}
