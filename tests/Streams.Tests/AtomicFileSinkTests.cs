using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using ParallelDiff.Streams.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace ParallelDiff.Streams.Tests;

public sealed class AtomicFileSinkTests : StreamsSpec, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pd-sink-").FullName;

    public AtomicFileSinkTests(ITestOutputHelper output) : base(output)
    {
    }

    private string Target => Path.Combine(_dir, "layer.blob");

    [Fact]
    public async Task AtomicFileSink_should_commit_all_bytes_under_the_target_name_on_completion()
    {
        var data = BlockCompressionFlowTests.TestBytes(50_000, 9);

        var written = await Source.From(BlockCompressionFlowTests.Chunks(data, [10, 20_000]))
            .RunWith(Sink.FromGraph(new AtomicFileSink(Target, PipelineSettings.Default.IoDispatcher)), Materializer);

        Assert.Equal(data.Length, written);
        Assert.Equal(data, File.ReadAllBytes(Target));
        Assert.Equal([Target], Directory.GetFiles(_dir));
    }

    [Fact]
    public async Task AtomicFileSink_should_release_each_pooled_buffer_once_written()
    {
        var data = BlockCompressionFlowTests.TestBytes(10_000, 4);
        var pieces = new[] { data.AsMemory(0, 4096), data.AsMemory(4096) }.Select(piece =>
        {
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(piece.Length);
            piece.Span.CopyTo(buffer);
            return LayerBytes.Rented(buffer, piece.Length);
        }).ToList();

        await Source.From(pieces).RunWith(AtomicFileSink.Create(Target, PipelineSettings.Default.IoDispatcher), Materializer);

        Assert.Equal(data, File.ReadAllBytes(Target));
        Assert.All(pieces, piece => Assert.Throws<ObjectDisposedException>(() => piece.Span.Length));
    }

    [Fact]
    public async Task AtomicFileSink_should_delete_the_temporary_file_and_fault_when_upstream_fails()
    {
        var written = Source.Single(LayerBytes.Of("half a layer"u8.ToArray()))
            .Concat(Source.Failed<LayerBytes>(new IOException("read error")))
            .RunWith(Sink.FromGraph(new AtomicFileSink(Target)), Materializer);

        var error = await Assert.ThrowsAsync<IOException>(() => written);
        Assert.Equal("read error", error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public async Task AtomicFileSink_should_leave_nothing_while_incomplete_and_nothing_after_an_abort()
    {
        await this.AssertAllStagesStoppedAsync(async () =>
        {
            var (source, written) = this.SourceProbe<LayerBytes>()
                .ToMaterialized(AtomicFileSink.Create(Target, PipelineSettings.Default.IoDispatcher), Keep.Both)
                .Run(Materializer);
            await source.SendNextAsync(LayerBytes.Of("some bytes"u8.ToArray()));
            await AwaitAssertAsync(() => Assert.Single(Directory.GetFiles(_dir)));
            Assert.False(File.Exists(Target), "the target must not exist before commit");

            await source.SendErrorAsync(new OperationCanceledException("cancelled"));

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => written);
            Assert.Empty(Directory.GetFileSystemEntries(_dir));
        }, Materializer);
    }

    [Fact]
    public async Task AtomicFileSink_should_fault_naming_the_target_when_its_directory_is_missing()
    {
        var target = Path.Combine(_dir, "missing", "layer.blob");

        var error = await Assert.ThrowsAsync<IOException>(() =>
            Source.Single(LayerBytes.Of("x"u8.ToArray())).RunWith(Sink.FromGraph(new AtomicFileSink(target)), Materializer));

        Assert.Contains(target, error.Message);
    }

    public new void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        base.Dispose();
    }
}
