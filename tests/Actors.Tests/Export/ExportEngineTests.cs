using System.Collections.Concurrent;
using System.Diagnostics;
using ParallelDiff.Actors.Tests.Support;
using ParallelDiff.Actors.Walk;
using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Snapshots;
using Xunit;

namespace ParallelDiff.Actors.Tests.Export;

/// <summary>
/// One engine, many exports: a failing shard fails the layer and leaves no file, the auto differ
/// falls back to the walking differ in a fresh stream, and cancellation stops everything within a
/// second while the engine stays usable.
/// </summary>
[Collection(Deadlines.Name)]
public sealed class ExportEngineTests : IClassFixture<EngineFixture>
{
    private static readonly CompressionSettings Gzip = CompressionSettings.For(LayerCompression.Gzip, blockSize: 64 * 1024);
    private readonly ExportEngine _engine;

    public ExportEngineTests(EngineFixture fixture) => _engine = fixture.Engine;

    [Fact]
    public async Task ExportEngine_should_fail_the_layer_naming_the_snapshot_and_path_and_leave_no_file_on_EACCES()
    {
        using var snapshot = GeneratedSnapshot.Create();
        using var output = new OutputDirectory();
        var denied = Path.Combine(snapshot.Upper, "d030", "deep");
        var fs = new HookedFileSystem { Before = HookedFileSystem.DenyAccess(denied) };
        var options = Options(output.File("layer.tar.gz"));

        var failure = await Assert.ThrowsAsync<WalkFailedException>(() => Export(Plans.Source(snapshot.Snapshot, fs), options));

        Assert.Equal("d030/deep", failure.PathText);
        Assert.Contains(snapshot.Upper, failure.Message, StringComparison.Ordinal);
        Assert.Contains("EACCES", failure.Message, StringComparison.Ordinal);
        Assert.Empty(output.Names());
    }

    [Fact]
    public async Task ExportEngine_should_redo_the_layer_with_the_walking_differ_after_an_overlay_inconsistency()
    {
        using var snapshot = GeneratedSnapshot.Create();
        using var output = new OutputDirectory();
        var reference = SequentialLayerExporter.Export(snapshot.Snapshot, new LayerOptions { Differ = DifferKind.Walking }, Gzip, output.File("walking"), _ => { }, default);

        // Late in the walk, after earlier shards have reached the stream and its temporary file.
        var broken = Path.Combine(snapshot.Upper, "d036");
        var fs = new HookedFileSystem { Before = (op, path) => { if (op == "readdir" && path == broken) throw new SnapshotException($"{path}: inconsistent overlay"); } };
        var warnings = new ConcurrentQueue<string>();
        var phases = new ConcurrentQueue<ExportPhase>();
        var options = Options(output.File("layer")) with { Warn = warnings.Enqueue, MaxShardsInFlight = 2 };

        var result = await Export(Plans.Source(snapshot.Snapshot, fs), options, new SynchronousProgress(p => phases.Enqueue(p.Phase)));

        Assert.Equal(DifferKind.Walking, result.Tar.Differ);
        Assert.Equal(reference.Descriptor, result.Descriptor);
        Assert.Equal(reference.Descriptor, Describe(output.File("layer")));
        var warning = Assert.Single(warnings);
        Assert.StartsWith("warning: overlay differ failed (", warning, StringComparison.Ordinal);
        Assert.Contains("d036: inconsistent overlay", warning, StringComparison.Ordinal);
        Assert.Contains(ExportPhase.FallingBack, phases);
        Assert.Equal(["layer", "walking"], output.Names());
    }

    [Fact]
    public async Task ExportEngine_should_not_fall_back_when_the_overlay_differ_is_forced()
    {
        using var snapshot = GeneratedSnapshot.Create(topDirectories: 8);
        using var output = new OutputDirectory();
        var broken = Path.Combine(snapshot.Upper, "d005");
        var fs = new HookedFileSystem { Before = (op, path) => { if (op == "readdir" && path == broken) throw new SnapshotException($"{path}: inconsistent overlay"); } };
        var warnings = new ConcurrentQueue<string>();
        var options = Options(output.File("layer")) with { Warn = warnings.Enqueue, Layer = new LayerOptions { Differ = DifferKind.Overlay } };

        var failure = await Assert.ThrowsAsync<WalkFailedException>(() => Export(Plans.Source(snapshot.Snapshot, fs), options));

        Assert.IsType<SnapshotException>(failure.InnerException);
        Assert.Equal("d005", failure.PathText);
        Assert.Empty(warnings);
        Assert.Empty(output.Names());
    }

    [Fact]
    public async Task ExportEngine_should_stop_a_cancelled_export_within_a_second_leave_no_file_and_stay_usable()
    {
        using var snapshot = GeneratedSnapshot.Create(topDirectories: 60, bigEntries: 200, fileBytes: 32 * 1024);
        using var output = new OutputDirectory();

        // A slow disk: every upper directory takes 30 ms to read, so the export is still running when cancelled.
        var fs = new HookedFileSystem { Before = (op, path) => { if (op == "readdir" && path.StartsWith(snapshot.Upper, StringComparison.Ordinal)) Thread.Sleep(30); } };
        using var cancel = new CancellationTokenSource();
        var phases = new ConcurrentQueue<LayerProgress>();
        var export = Export(Plans.Source(snapshot.Snapshot, fs), Options(output.File("layer")) with { Parallelism = 2 }, new SynchronousProgress(phases.Enqueue), cancel.Token);
        while (!phases.Any(p => p.ShardsDone > 3))
        {
            Assert.False(export.IsCompleted, "the export ended before it could be cancelled");
            await Task.Delay(10);
        }

        var cancelled = Stopwatch.StartNew();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => export);
        Assert.True(cancelled.Elapsed < TimeSpan.FromSeconds(1), $"cancellation took {cancelled.Elapsed}");
        Assert.Empty(output.Names());

        // The engine is still usable, and its walk actors are gone.
        var again = await _engine.ExportAsync(snapshot.Snapshot, Options(output.File("again")));
        Assert.Equal(SequentialLayerExporter.Export(snapshot.Snapshot, LayerOptions.Default, Gzip, output.File("reference"), _ => { }, default).Descriptor, again.Descriptor);
        Assert.Equal(["again", "reference"], output.Names());
    }

    private static ExportOptions Options(string outputPath) => new()
    {
        OutputPath = outputPath,
        Compression = Gzip,
        Parallelism = 4,
        ShardMaxEntries = 7,
        ActorThresholdEntries = 0,
    };

    private Task<LayerExportResult> Export(LayerSource source, ExportOptions options, IProgress<LayerProgress>? progress = null, CancellationToken cancellationToken = default) =>
        _engine.ExportAsync(source, options, ExportSettings.Resolve(options), progress, cancellationToken);

    /// <summary>The written file's own digest, size and diffID, read back from disk.</summary>
    private static LayerDescriptor Describe(string blob)
    {
        using var file = File.OpenRead(blob);
        using var tar = LayerDecompression.OpenDecompressing(file);
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        int n;
        while ((n = tar.Read(buffer)) > 0)
        {
            sha.AppendData(buffer, 0, n);
        }

        var diffId = "sha256:" + Convert.ToHexStringLower(sha.GetHashAndReset());
        var digest = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(blob)));
        return new LayerDescriptor(MediaTypes.ForLayer(LayerCompression.Gzip), digest, new FileInfo(blob).Length, diffId);
    }
}
