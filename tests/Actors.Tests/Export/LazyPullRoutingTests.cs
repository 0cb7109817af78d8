using ParallelDiff.Actors.Tests.Support;
using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Layers;
using Xunit;

namespace ParallelDiff.Actors.Tests.Export;

/// <summary>
/// zstd:chunked and eStargz go to the sequential exporter whatever the upper's size (the stream
/// path compresses fixed blocks, not files): through the engine, with the actor threshold at 0 and
/// any parallelism, the bytes are those of SequentialLayerExporter.
/// </summary>
[Collection(Deadlines.Name)]
public sealed class LazyPullRoutingTests : IClassFixture<EngineFixture>
{
    private readonly ExportEngine _engine;

    public LazyPullRoutingTests(EngineFixture fixture) => _engine = fixture.Engine;

    [Theory]
    [InlineData(LayerCompression.ZstdChunked, 1)]
    [InlineData(LayerCompression.ZstdChunked, 4)]
    [InlineData(LayerCompression.Estargz, 1)]
    [InlineData(LayerCompression.Estargz, 4)]
    public async Task Engine_should_write_the_sequential_exporters_bytes_at_any_parallelism(LayerCompression kind, int parallelism)
    {
        using var snapshot = GeneratedSnapshot.Create();
        using var output = new OutputDirectory();
        var compression = CompressionSettings.For(kind, blockSize: 64 * 1024);
        var reference = SequentialLayerExporter.Export(snapshot.Snapshot, LayerOptions.Default, compression, output.File("reference"), _ => { }, default);

        var options = new ExportOptions
        {
            OutputPath = output.File("layer"),
            Compression = compression,
            Parallelism = parallelism,
            ShardMaxEntries = 7,
            ActorThresholdEntries = 0,
        };
        var viaEngine = await _engine.ExportAsync(snapshot.Snapshot, options);
        var viaExporter = await LayerExporter.ExportAsync(snapshot.Snapshot, options with { OutputPath = output.File("exporter") });

        Assert.Equal(reference.Descriptor, viaEngine.Descriptor);
        Assert.Equal(reference.Descriptor, viaExporter.Descriptor);
        Assert.NotNull(reference.Descriptor.Annotations);
        Assert.Equal(File.ReadAllBytes(output.File("reference")), File.ReadAllBytes(output.File("layer")));
    }
}
