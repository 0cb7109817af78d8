using System.Collections.Concurrent;
using ParallelDiff.Actors.Tests.Support;
using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Layers;
using Xunit;

namespace ParallelDiff.Actors.Tests.Export;

/// <summary>
/// The library entry point: small uppers take Core's sequential exporter with nothing started;
/// bigger ones the sharded walk and the layer stream, with the same bytes as the sequential path.
/// </summary>
[Collection(Deadlines.Name)]
public sealed class LayerExporterTests
{
    [Fact]
    public async Task LayerExporter_should_write_a_small_upper_sequentially_on_the_calling_thread()
    {
        using var snapshot = GeneratedSnapshot.Create(topDirectories: 1, bigEntries: 0);
        using var output = new OutputDirectory();
        var phases = new ConcurrentQueue<ExportPhase>();
        var progress = new SynchronousProgress(p => phases.Enqueue(p.Phase));
        var expected = SequentialLayerExporter.Export(snapshot.Snapshot, LayerOptions.Default, CompressionSettings.None, output.File("expected.tar"), _ => { }, default);

        var thread = Environment.CurrentManagedThreadId;
        var started = System.Diagnostics.Stopwatch.StartNew();
        var task = LayerExporter.ExportAsync(snapshot.Snapshot, new ExportOptions { OutputPath = output.File("layer.tar"), Compression = CompressionSettings.None }, progress);

        // Done before the first await: nothing was scheduled anywhere.
        Assert.True(task.IsCompletedSuccessfully);
        var result = await task;
        Assert.Equal(thread, Environment.CurrentManagedThreadId);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(1), $"took {started.Elapsed}");
        Assert.Equal(expected.Descriptor, result.Descriptor);
        Assert.Equal([ExportPhase.Sequential, ExportPhase.Completed], phases);
    }

    [Theory]
    [InlineData(LayerCompression.Gzip, 1)]
    [InlineData(LayerCompression.Zstd, 4)]
    public async Task LayerExporter_should_write_the_sequential_exporters_blob_through_the_actors(LayerCompression kind, int parallelism)
    {
        using var snapshot = GeneratedSnapshot.Create();
        using var output = new OutputDirectory();
        var compression = CompressionSettings.For(kind, blockSize: 64 * 1024);
        var expected = SequentialLayerExporter.Export(snapshot.Snapshot, LayerOptions.Default, compression, output.File("expected"), _ => { }, default);
        var phases = new ConcurrentQueue<ExportPhase>();

        var result = await LayerExporter.ExportAsync(
            snapshot.Snapshot,
            new ExportOptions { OutputPath = output.File("layer"), Compression = compression, Parallelism = parallelism, ShardMaxEntries = 7 },
            new SynchronousProgress(p => phases.Enqueue(p.Phase)));

        Assert.Equal(expected.Descriptor, result.Descriptor);
        Assert.Equal(expected.Tar, result.Tar);
        Assert.Equal(DifferKind.Overlay, result.Tar.Differ);
        Assert.Contains(ExportPhase.Walking, phases);
        Assert.Equal(ExportPhase.Completed, phases.Last());
        Assert.Equal(["expected", "layer"], output.Names());
    }

    [Fact]
    public async Task LayerExporter_should_stop_a_cancelled_export_within_a_second_and_dispose_its_engine()
    {
        // One-entry shards: thousands of them, so the export is surely mid-walk when it is cancelled.
        using var snapshot = GeneratedSnapshot.Create(topDirectories: 40, bigEntries: 2000);
        using var output = new OutputDirectory();
        using var cancel = new CancellationTokenSource();
        var cancelled = new System.Diagnostics.Stopwatch();
        var progress = new SynchronousProgress(p =>
        {
            if (p.ShardsDone == 20 && !cancelled.IsRunning)
            {
                cancelled.Start();
                cancel.Cancel();
            }
        });
        var options = new ExportOptions { OutputPath = output.File("layer"), ShardMaxEntries = 1, Parallelism = 4, ActorThresholdEntries = 0 };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => LayerExporter.ExportAsync(snapshot.Snapshot, options, progress, cancel.Token));

        // Within a second the walk, the stream and the engine's actor system are all gone.
        Assert.True(cancelled.IsRunning, "never cancelled");
        Assert.True(cancelled.Elapsed < TimeSpan.FromSeconds(1), $"took {cancelled.Elapsed}");
        Assert.Empty(output.Names());
    }

    [Fact]
    public void LayerExporter_should_count_entries_only_up_to_the_threshold()
    {
        using var snapshot = GeneratedSnapshot.Create(topDirectories: 3, bigEntries: 0);
        var entries = Directory.EnumerateFileSystemEntries(snapshot.Upper, "*", SearchOption.AllDirectories).Count();
        var tree = new ParallelDiff.Core.Snapshots.DirectoryTree(snapshot.Upper, "--upper");

        Assert.True(UpperSize.IsBelow(tree, entries + 1, long.MaxValue));
        Assert.False(UpperSize.IsBelow(tree, entries, long.MaxValue));
        Assert.False(UpperSize.IsBelow(tree, 0, long.MaxValue));

        // Stops early: with a limit of 2 only the root is read, whatever lies below.
        var fs = new HookedFileSystem();
        Assert.False(UpperSize.IsBelow(new ParallelDiff.Core.Snapshots.DirectoryTree(snapshot.Upper, "--upper", fs), 2, long.MaxValue));
        Assert.Equal(1, fs.DirectoriesRead);
    }

    [Fact]
    public void LayerExporter_should_take_a_few_big_files_as_big()
    {
        using var output = new OutputDirectory();
        var upper = Directory.CreateDirectory(output.File("upper")).FullName;
        using (var big = File.Create(Path.Combine(upper, "big.bin")))
        {
            big.SetLength(5000);
        }

        File.WriteAllText(Path.Combine(upper, "small.txt"), "hello");
        var tree = new ParallelDiff.Core.Snapshots.DirectoryTree(upper, "--upper");

        // Two entries, far under the entry limit: the bytes decide.
        Assert.True(UpperSize.IsBelow(tree, 256, 5006));
        Assert.False(UpperSize.IsBelow(tree, 256, 5005));
        Assert.False(UpperSize.IsBelow(tree, 256, 0));
    }
}
