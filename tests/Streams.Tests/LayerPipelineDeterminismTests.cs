using Akka.Streams.Dsl;
using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Layers;
using ParallelDiff.Streams.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace ParallelDiff.Streams.Tests;

/// <summary>
/// The pipeline's one promise: the blob and both digests are exactly Core's sequential
/// exporter's, whatever the parallelism, the chunking or the order shards arrive in.
/// </summary>
public sealed class LayerPipelineDeterminismTests : StreamsSpec, IClassFixture<LayerTreeFixture>
{
    private readonly LayerTree _tree;

    public LayerPipelineDeterminismTests(LayerTreeFixture fixture, ITestOutputHelper output) : base(output) => _tree = fixture.Tree;

    public static TheoryData<LayerCompression, int> KindsAndParallelism()
    {
        var data = new TheoryData<LayerCompression, int>();
        foreach (var kind in new[] { LayerCompression.None, LayerCompression.Gzip, LayerCompression.Zstd, LayerCompression.Lz4 })
        {
            foreach (var parallelism in new[] { 1, 2, 8, 32 })
            {
                data.Add(kind, parallelism);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(KindsAndParallelism))]
    public async Task LayerPipeline_should_write_the_sequential_exporters_bytes_at_any_parallelism(LayerCompression kind, int parallelism)
    {
        // 256 KiB blocks: the 8 MiB of test data spans dozens of blocks and every codec's unit framing.
        var compression = CompressionSettings.For(kind, blockSize: 256 * 1024);
        var expected = _tree.Reference(compression);
        var output = Path.Combine(_tree.Output, $"{kind}-{parallelism}.blob");

        var result = await LayerPipeline.RunAsync(
            Source.From(_tree.Changes), _tree.Parents, LayerTree.WriterOptions, compression,
            SmallSettings(parallelism, readAheadBytes: 48 * 1024 * (parallelism + 1)),
            output, Materializer, CancellationToken.None);

        Assert.Equal(expected.Descriptor, result.Descriptor);
        Assert.Equal(expected.TarBytes, result.TarBytes);
        Assert.Equal(expected.Entries, result.Entries);
        Assert.Equal(expected.DataBytes, result.DataBytes);
        Assert.True(expected.Blob.AsSpan().SequenceEqual(File.ReadAllBytes(output)), "blob bytes differ from the sequential exporter's");
        Assert.Equal(MediaTypes.ForLayer(kind), result.Descriptor.MediaType);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task LayerPipeline_should_write_the_same_layer_from_shards_in_any_arrival_order(int seed)
    {
        var compression = CompressionSettings.For(LayerCompression.Zstd, blockSize: 128 * 1024);
        var expected = _tree.Reference(compression);
        var random = new Random(seed);
        var shards = ShardTrees.Shuffled(ShardTrees.Split(_tree.Changes, random), random);
        var output = Path.Combine(_tree.Output, $"shards-{seed}.blob");

        var result = await LayerPipeline.RunAsync(
            Source.From(shards), _tree.Parents, LayerTree.WriterOptions, compression, SmallSettings(),
            output, Materializer, CancellationToken.None);

        Assert.Equal(expected.Descriptor, result.Descriptor);
        Assert.True(expected.Blob.AsSpan().SequenceEqual(File.ReadAllBytes(output)), "blob bytes differ from the sequential exporter's");
    }

    [Fact]
    public async Task LayerPipeline_should_write_an_empty_layer_as_the_end_marker_in_one_unit()
    {
        var compression = CompressionSettings.For(LayerCompression.Gzip);
        using var blob = new MemoryStream();
        using (var codec = BlockCodecs.Create(compression.Kind, compression.Level))
        using (var compressor = new BlockCompressingStream(blob, codec, compression.BlockSize, leaveOpen: true))
        {
            compressor.Write(new byte[1024]);
        }

        var output = Path.Combine(_tree.Output, "empty.blob");
        var result = await LayerPipeline.RunAsync(
            Source.Empty<Core.Diff.Change>(), _tree.Parents, LayerTree.WriterOptions, compression, SmallSettings(),
            output, Materializer, CancellationToken.None);

        Assert.Equal(0, result.Entries);
        Assert.Equal(1024, result.TarBytes);
        Assert.Equal(blob.ToArray(), File.ReadAllBytes(output));
    }
}
