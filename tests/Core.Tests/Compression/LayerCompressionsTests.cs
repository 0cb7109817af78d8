using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Layers;
using Xunit;

namespace ParallelDiff.Core.Tests.Compression;

public sealed class LayerCompressionsTests
{
    [Theory]
    [InlineData("none", LayerCompression.None)]
    [InlineData("gzip", LayerCompression.Gzip)]
    [InlineData("ZSTD", LayerCompression.Zstd)]
    [InlineData("lz4", LayerCompression.Lz4)]
    [InlineData("zstd:chunked", LayerCompression.ZstdChunked)]
    [InlineData("eStargz", LayerCompression.Estargz)]
    public void Parse_should_accept_the_names(string name, LayerCompression expected)
    {
        Assert.Equal(expected, LayerCompressions.Parse(name));
        Assert.Equal(name.ToLowerInvariant(), expected.ToName());
    }

    [Fact]
    public void Lazy_pull_kinds_should_take_the_levels_of_their_frames_and_no_block_codec()
    {
        Assert.Equal(LayerCompression.Zstd.DefaultLevel(), LayerCompression.ZstdChunked.DefaultLevel());
        Assert.Equal(LayerCompression.Zstd.MaxLevel(), LayerCompression.ZstdChunked.MaxLevel());
        Assert.Equal(LayerCompression.Gzip.DefaultLevel(), LayerCompression.Estargz.DefaultLevel());
        Assert.Equal(LayerCompression.Gzip.MaxLevel(), LayerCompression.Estargz.MaxLevel());
        Assert.Equal(MediaTypes.LayerTarZstd, MediaTypes.ForLayer(LayerCompression.ZstdChunked));
        Assert.Equal(MediaTypes.LayerTarGzip, MediaTypes.ForLayer(LayerCompression.Estargz));
        Assert.Throws<ArgumentException>(() => BlockCodecs.Create(LayerCompression.ZstdChunked));
        Assert.Throws<ArgumentException>(() => BlockCodecs.Create(LayerCompression.Estargz));
    }

    [Theory]
    [InlineData("xz")]
    [InlineData("")]
    [InlineData("gz")]
    [InlineData(" gzip")]
    public void Parse_should_reject_unknown_names_listing_the_valid_ones(string name)
    {
        var e = Assert.Throws<FormatException>(() => LayerCompressions.Parse(name));
        Assert.Contains($"'{name}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("none, gzip, zstd, lz4", e.Message, StringComparison.Ordinal);
        Assert.False(LayerCompressions.TryParse(name, out _));
    }

    [Fact]
    public void Default_levels_should_be_those_of_the_tools()
    {
        Assert.Equal(6, LayerCompression.Gzip.DefaultLevel());
        Assert.Equal(3, LayerCompression.Zstd.DefaultLevel());
        Assert.Equal(0, LayerCompression.Lz4.DefaultLevel());
        foreach (var kind in Enum.GetValues<LayerCompression>().Where(k => !k.IsLazyPull()))
        {
            using var codec = BlockCodecs.Create(kind);
            Assert.Equal(kind, codec.Kind);
            Assert.Equal(kind.DefaultLevel(), codec.Level);
        }
    }

    [Theory]
    [InlineData(LayerCompression.Gzip, 10)]
    [InlineData(LayerCompression.Gzip, -1)]
    [InlineData(LayerCompression.Zstd, 23)]
    [InlineData(LayerCompression.Lz4, 13)]
    [InlineData(LayerCompression.None, 1)]
    public void Create_should_reject_levels_outside_the_range(LayerCompression kind, int level)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => BlockCodecs.Create(kind, level));
        Assert.Contains(kind.ToName(), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Media_types_should_be_the_oci_ones_and_a_vendor_lz4_type()
    {
        Assert.Equal("application/vnd.oci.image.layer.v1.tar", MediaTypes.ForLayer(LayerCompression.None));
        Assert.Equal("application/vnd.oci.image.layer.v1.tar+gzip", MediaTypes.ForLayer(LayerCompression.Gzip));
        Assert.Equal("application/vnd.oci.image.layer.v1.tar+zstd", MediaTypes.ForLayer(LayerCompression.Zstd));
        Assert.Equal("application/vnd.paralleldiff.image.layer.v1.tar+lz4", MediaTypes.ForLayer(LayerCompression.Lz4));
    }
}
