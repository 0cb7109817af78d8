using ParallelDiff.Actors.Tests.Support;
using ParallelDiff.Actors.Walk;
using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Tests.Diff;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Actors.Tests.Export;

/// <summary>
/// Every golden vector through the actor path (threshold 0) at parallelism 1, 2, 8 and 32, with
/// shards from whole directories down to one entry, in each compression: always the blob the
/// sequential exporter writes, so the same digest at any parallelism and Core's diffID.
/// </summary>
public sealed class VectorDeterminismTests : IClassFixture<EngineFixture>
{
    private static readonly (int Parallelism, int ShardMaxEntries)[] Spreads = [(1, 2048), (2, 3), (8, 1), (32, 2)];
    private readonly ExportEngine _engine;

    public VectorDeterminismTests(EngineFixture fixture) => _engine = fixture.Engine;

    [RootTheory]
    [MemberData(nameof(VectorData.All), MemberType = typeof(VectorData))]
    public async Task ExportAsync_should_write_the_sequential_blob_of_every_vector_at_any_parallelism_and_compression(string vector)
    {
        using var v = new VectorCase(vector);
        using var output = new OutputDirectory();
        foreach (var kind in (LayerCompression[])[LayerCompression.None, LayerCompression.Gzip, LayerCompression.Zstd, LayerCompression.Lz4])
        {
            // Small blocks, so the larger vectors (a 3 MiB file, a sparse one) span several.
            var compression = CompressionSettings.For(kind, blockSize: 256 * 1024);
            LayerExportResult reference;
            try
            {
                reference = SequentialLayerExporter.Export(v.Snapshot, LayerOptions.Default, compression, output.File($"sequential-{kind}"), _ => { }, default);
            }
            catch (Exception sequential) when (sequential is not Xunit.Sdk.XunitException)
            {
                // What the sequential path refuses, the actor path refuses too, and leaves no file.
                var failure = await Assert.ThrowsAnyAsync<Exception>(() => Export(v, compression, output.File($"actors-{kind}"), 8, 1));
                Assert.IsType(sequential.GetType(), failure is WalkFailedException ? failure.InnerException : failure);
                Assert.False(File.Exists(output.File($"actors-{kind}")));
                continue;
            }

            foreach (var (parallelism, shardMaxEntries) in Spreads)
            {
                var blob = output.File($"actors-{kind}-{parallelism}");
                var result = await Export(v, compression, blob, parallelism, shardMaxEntries);

                var where = $"{vector}, {kind}, parallelism {parallelism}";
                Assert.True(reference.Descriptor.DiffId == result.Descriptor.DiffId, $"{where}: diffID {result.Descriptor.DiffId}, sequential {reference.Descriptor.DiffId}");
                Assert.True(reference.Descriptor == result.Descriptor, $"{where}: {result.Descriptor.ToJson()}, sequential {reference.Descriptor.ToJson()}");
                Assert.Equal(File.ReadAllBytes(output.File($"sequential-{kind}")), File.ReadAllBytes(blob));
                Assert.Equal(reference.Tar, result.Tar);
            }
        }

        // Only the blobs: no temporary file left behind by any export.
        Assert.DoesNotContain(output.Names(), n => n.StartsWith('.'));
    }

    /// <summary>Parallelism 2 goes through the static entry point (an engine of its own); the others share the class's engine.</summary>
    private Task<LayerExportResult> Export(VectorCase v, CompressionSettings compression, string blob, int parallelism, int shardMaxEntries)
    {
        var options = new ExportOptions
        {
            OutputPath = blob,
            Compression = compression,
            Parallelism = parallelism,
            ShardMaxEntries = shardMaxEntries,
            ActorThresholdEntries = 0,
        };
        return parallelism == 2 ? LayerExporter.ExportAsync(v.Snapshot, options) : _engine.ExportAsync(v.Snapshot, options);
    }
}
