using ParallelDiff.Core.Layers;
using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>The diff command's descriptor line, put together by hand, against LayerDescriptor.ToJson (System.Text.Json).</summary>
public sealed class DescriptorLineTests
{
    private const string Digest = "sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b";

    public static TheoryData<string, string, long, string> Descriptors => new()
    {
        { MediaTypes.ForLayer(Core.Compression.LayerCompression.Zstd), Digest, 167, Digest },
        { MediaTypes.ForLayer(Core.Compression.LayerCompression.Lz4), Digest, 0, Digest },
        { "application/vnd.oci.image.layer.v1.tar", Digest, long.MaxValue, Digest },
        { "a/b", "sha512:ABC_def-1", -1, "x" },
        { "application/\"quoted\"", Digest, 1, Digest },
        { "application/x<y>&'z'", Digest, 1, Digest },
        { "application/é+\u2028", Digest, 1, Digest },
        { "a b\\c", "d\te", 1, "\u0001" },
        { "", "", 1, "" },
    };

    [Theory]
    [MemberData(nameof(Descriptors))]
    public void DescriptorLine_should_write_what_LayerDescriptor_ToJson_writes(string mediaType, string digest, long size, string diffId)
    {
        var descriptor = new LayerDescriptor(mediaType, digest, size, diffId);

        Assert.Equal(descriptor.ToJson(), DescriptorLine.Of(descriptor));
    }
}
