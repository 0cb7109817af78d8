using ParallelDiff.Actors.Tests.Support;
using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Tests.Kernel;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Actors.Tests.Export;

/// <summary>
/// Kernel-made snapshots (random operations through real overlay mounts, four modes) through the
/// actor path at parallelism 1, 2, 8 and 32 in each compression: always the sequential blob.
/// </summary>
public sealed class KernelDeterminismTests : IClassFixture<EngineFixture>
{
    private readonly ExportEngine _engine;

    public KernelDeterminismTests(EngineFixture fixture) => _engine = fixture.Engine;

    public static TheoryData<KernelMode, int> Cases()
    {
        var data = new TheoryData<KernelMode, int>();
        foreach (var mode in Enum.GetValues<KernelMode>())
        {
            for (var seed = 0; seed < 3; seed++)
            {
                data.Add(mode, 7000 + ((int)mode * 100) + seed);
            }
        }

        return data;
    }

    [RootTheory]
    [MemberData(nameof(Cases))]
    public async Task ExportAsync_should_write_the_sequential_blob_of_a_kernel_snapshot_at_any_parallelism(KernelMode mode, int seed)
    {
        using var scenario = KernelScenario.Run(mode, seed);
        using var output = new OutputDirectory();
        var layer = new LayerOptions { Diff = new DiffOptions { Exact = true } };
        foreach (var kind in (LayerCompression[])[LayerCompression.None, LayerCompression.Gzip, LayerCompression.Zstd, LayerCompression.Lz4])
        {
            var compression = CompressionSettings.For(kind, blockSize: 256 * 1024);
            var reference = SequentialLayerExporter.Export(scenario.Snapshot, layer, compression, output.File($"sequential-{kind}"), _ => { }, default);
            foreach (var (parallelism, shardMaxEntries) in new[] { (1, 2048), (2, 3), (8, 1), (32, 2) })
            {
                var blob = output.File($"actors-{kind}-{parallelism}");
                var options = new ExportOptions
                {
                    OutputPath = blob,
                    Layer = layer,
                    Compression = compression,
                    Parallelism = parallelism,
                    ShardMaxEntries = shardMaxEntries,
                    ActorThresholdEntries = 0,
                };
                var result = await _engine.ExportAsync(scenario.Snapshot, options);

                var where = $"mode {mode}, seed {seed}, {kind}, parallelism {parallelism}";
                Assert.True(reference.Descriptor == result.Descriptor, $"{where}: {result.Descriptor.ToJson()}, sequential {reference.Descriptor.ToJson()}");
                Assert.Equal(File.ReadAllBytes(output.File($"sequential-{kind}")), File.ReadAllBytes(blob));
            }
        }
    }
}
