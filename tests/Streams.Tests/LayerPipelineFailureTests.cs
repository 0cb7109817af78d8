using System.Diagnostics;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Layers;
using ParallelDiff.Streams.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace ParallelDiff.Streams.Tests;

/// <summary>
/// A layer is written whole or not at all: every failure names what failed, and neither the
/// target nor a temporary file is left behind; cancelling stops every stage promptly.
/// Each test builds its own tree, because some of them damage it.
/// </summary>
public sealed class LayerPipelineFailureTests : StreamsSpec, IDisposable
{
    private static readonly CompressionSettings Compression = CompressionSettings.For(LayerCompression.Zstd, blockSize: 64 * 1024);
    private readonly LayerTree _tree = new();

    public LayerPipelineFailureTests(ITestOutputHelper output) : base(output)
    {
    }

    private string Target => Path.Combine(_tree.Output, "layer.blob");

    [Fact]
    public async Task LayerPipeline_should_fail_naming_a_file_truncated_after_the_diff_and_leave_no_file()
    {
        var victim = _tree.PathOf("big/five-mib");
        using (var stream = File.OpenWrite(victim))
        {
            stream.SetLength(1_000_000);
        }

        await this.AssertAllStagesStoppedAsync(async () =>
        {
            var error = await Assert.ThrowsAsync<FsException>(() => Run(Source.From(_tree.Changes), CancellationToken.None));
            Assert.Contains(victim, error.Message);
        }, Materializer);

        Assert.Empty(Directory.GetFileSystemEntries(_tree.Output));
    }

    [Fact]
    public async Task LayerPipeline_should_fail_naming_a_file_deleted_after_the_diff_and_leave_no_file()
    {
        var victim = _tree.PathOf("a/b/c/deep");
        File.Delete(victim);

        var error = await Assert.ThrowsAsync<FsException>(() => Run(Source.From(_tree.Changes), CancellationToken.None));

        Assert.Contains(victim, error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(_tree.Output));
    }

    [Fact]
    public async Task LayerPipeline_should_fail_with_the_sources_error_and_leave_no_file()
    {
        var changes = Source.From(_tree.Changes.Take(8))
            .Concat(Source.Failed<Change>(new IOException("walk failed in /upper/x")));

        var error = await Assert.ThrowsAsync<IOException>(() => Run(changes, CancellationToken.None));

        Assert.Equal("walk failed in /upper/x", error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(_tree.Output));
    }

    [Fact]
    public async Task LayerPipeline_should_fail_when_a_referenced_shard_never_arrives_and_leave_no_file()
    {
        var shards = ShardTrees.Split(_tree.Changes, new Random(11));
        var missing = shards[^1].ShardId;

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => LayerPipeline.RunAsync(
            Source.From(shards.Take(shards.Count - 1)), _tree.Parents, LayerTree.WriterOptions, Compression, SmallSettings(),
            Target, Materializer, CancellationToken.None));

        Assert.Contains($"shard {missing}", error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(_tree.Output));
    }

    [Fact]
    public async Task LayerPipeline_should_stop_every_stage_within_a_second_of_cancellation_and_leave_no_file()
    {
        using var cancellation = new CancellationTokenSource();
        await this.AssertAllStagesStoppedAsync(async () =>
        {
            // The walk never finishes, so the layer is mid-stream whenever the token fires.
            var changes = Source.From(_tree.Changes).Concat(Source.Never<Change>());
            var run = Run(changes, cancellation.Token);
            await AwaitAssertAsync(
                () => Assert.True(Directory.GetFiles(_tree.Output).Single() is var temp && new FileInfo(temp).Length > 0),
                TimeSpan.FromSeconds(10));

            var clock = Stopwatch.StartNew();
            await cancellation.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
            Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1));
            Assert.Empty(Directory.GetFileSystemEntries(_tree.Output));
        }, Materializer);
    }

    [Fact]
    public async Task LayerPipeline_should_not_start_when_already_cancelled()
    {
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Run(Source.From(_tree.Changes), new CancellationToken(canceled: true)));

        Assert.Empty(Directory.GetFileSystemEntries(_tree.Output));
    }

    public new void Dispose()
    {
        _tree.Dispose();
        base.Dispose();
    }

    private Task<LayerPipelineResult> Run(Source<Change, Akka.NotUsed> changes, CancellationToken cancellationToken) =>
        LayerPipeline.RunAsync(changes, _tree.Parents, LayerTree.WriterOptions, Compression, SmallSettings(), Target, Materializer, cancellationToken);
}
