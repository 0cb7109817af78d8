using System.Security.Cryptography;
using Akka.IO;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Layers;
using ParallelDiff.Streams.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace ParallelDiff.Streams.Tests;

public sealed class TarEncodingFlowTests : StreamsSpec, IClassFixture<LayerTreeFixture>
{
    private const int Chunk = 64 * 1024;
    private const long Budget = 4 * Chunk;
    private readonly LayerTree _tree;
    private readonly ITestOutputHelper _output;

    public TarEncodingFlowTests(LayerTreeFixture fixture, ITestOutputHelper output) : base(output)
    {
        _tree = fixture.Tree;
        _output = output;
    }

    [Fact]
    public async Task TarEncodingFlow_should_write_the_sequential_tar_writers_bytes()
    {
        var (tar, counts) = await Source.From(_tree.Changes)
            .Via(ChangeWriterFlow.Create(_tree.Parents, LayerTree.WriterOptions))
            .ViaMaterialized(TarEncodingFlow.Create(SmallSettings(chunkSize: 7_000, readAheadBytes: 70_000)), Keep.Right)
            .ToMaterialized(Sink.Seq<ByteString>(), (c, t) => (t, c))
            .Run(Materializer)
            .Await();

        var expected = _tree.Reference(Core.Layers.CompressionSettings.For(Core.Compression.LayerCompression.None));
        Assert.True(_tree.ReferenceTar().AsSpan().SequenceEqual(tar.SelectMany(b => b.ToArray()).ToArray()), "tar bytes differ from TarStreamWriter's");
        Assert.Equal(new TarEncodingResult(expected.Entries, expected.DataBytes), counts);
    }

    [Fact]
    public async Task TarEncodingFlow_should_keep_read_ahead_within_its_budget_when_downstream_is_slow()
    {
        var gauge = new ReadAheadGauge();
        var settings = SmallSettings(chunkSize: Chunk, readAheadBytes: Budget);
        await this.AssertAllStagesStoppedAsync(async () =>
        {
            var sink = Source.From(_tree.Changes)
                .Via(ChangeWriterFlow.Create(_tree.Parents, LayerTree.WriterOptions))
                .Via(TarEncodingFlow.Create(settings, gauge))
                .RunWith(this.SinkProbe<ByteString>(), Materializer);

            long received = 0;
            for (var i = 0; ; i++)
            {
                if (i % 16 == 0)
                {
                    // Give the readers time to run as far ahead as they are allowed to.
                    await Task.Delay(30);
                }

                Assert.InRange(gauge.Current, 0, Budget);
                sink.Request(1);
                var next = await sink.ExpectEventAsync();
                if (next is TestSubscriber.OnComplete)
                {
                    break;
                }

                received += ((TestSubscriber.OnNext<ByteString>)next).Element.Count;
            }

            _output.WriteLine($"peak read-ahead {gauge.Peak} bytes of {Budget}");
            Assert.Equal(_tree.ReferenceTar().Length, received);
            Assert.InRange(gauge.Peak, 2 * Chunk, Budget);
            Assert.Equal(0, gauge.Current);
        }, Materializer);
    }

    [Fact]
    public async Task TarEncodingFlow_should_stream_a_large_sparse_file_in_bounded_memory()
    {
        using var file = new SingleFile(0, "sparse");
        using (var stream = File.OpenWrite(file.FilePath))
        {
            stream.SetLength(256L * 1024 * 1024);
        }

        var gauge = new ReadAheadGauge();
        var (counts, digest) = await Source.Single(file.Entry())
            .ViaMaterialized(TarEncodingFlow.Create(SmallSettings(chunkSize: 1 << 20, readAheadBytes: 8 << 20), gauge), Keep.Right)
            .ViaMaterialized(new DigestFlow(), Keep.Both)
            .To(Sink.Ignore<ByteString>())
            .Run(Materializer)
            .Await();

        using var expected = new DigestingStream(Stream.Null);
        var tar = new TarStreamWriter(expected, CancellationToken.None);
        tar.Write(file.Entry());
        tar.Finish();
        Assert.Equal(expected.Digest, digest.Digest);
        Assert.Equal(expected.Length, digest.Length);
        Assert.Equal(256L * 1024 * 1024, counts.DataBytes);
        Assert.InRange(gauge.Peak, 1, 8 << 20);
    }

    [Fact]
    public async Task TarEncodingFlow_should_fail_naming_a_file_that_shrank_since_its_lstat()
    {
        using var file = new SingleFile(300_000);

        var error = await Assert.ThrowsAsync<FsException>(() => Source.Single(file.Entry(announcedSize: 400_000))
            .Via(TarEncodingFlow.Create(SmallSettings()))
            .RunWith(Sink.Ignore<ByteString>(), Materializer));

        Assert.Contains(file.FilePath, error.Message);
        Assert.Contains("shrank", error.Message);
    }

    [Fact]
    public async Task TarEncodingFlow_should_fail_naming_a_file_that_grew_since_its_lstat()
    {
        using var file = new SingleFile(300_000);

        var error = await Assert.ThrowsAsync<FsException>(() => Source.Single(file.Entry(announcedSize: 200_000))
            .Via(TarEncodingFlow.Create(SmallSettings()))
            .RunWith(Sink.Ignore<ByteString>(), Materializer));

        Assert.Contains(file.FilePath, error.Message);
        Assert.Contains("grew", error.Message);
    }

    [Fact]
    public async Task TarEncodingFlow_should_fail_naming_a_file_deleted_since_the_diff()
    {
        using var file = new SingleFile(1000);
        var entry = file.Entry();
        File.Delete(file.FilePath);

        var error = await Assert.ThrowsAsync<FsException>(() => Source.Single(entry)
            .Via(TarEncodingFlow.Create(SmallSettings()))
            .RunWith(Sink.Ignore<ByteString>(), Materializer));

        Assert.Contains(file.FilePath, error.Message);
    }

    [Fact]
    public async Task TarEncodingFlow_should_read_file_data_on_the_io_dispatcher()
    {
        using var file = new SingleFile(500_000);
        var recording = new RecordingTree(file.Tree);

        await Source.Single(file.Entry(source: recording))
            .Via(TarEncodingFlow.Create(SmallSettings()))
            .RunWith(Sink.Ignore<ByteString>(), Materializer);

        var thread = Assert.Single(recording.OpenThreads);
        _output.WriteLine($"opened on {thread}");
        Assert.StartsWith(PipelineSettings.Default.IoDispatcher, thread);
    }

    [Fact]
    public async Task TarEncodingFlow_should_stop_every_stage_when_downstream_cancels_mid_file()
    {
        await this.AssertAllStagesStoppedAsync(async () =>
        {
            var sink = Source.From(_tree.Changes)
                .Via(ChangeWriterFlow.Create(_tree.Parents, LayerTree.WriterOptions))
                .Via(TarEncodingFlow.Create(SmallSettings(chunkSize: Chunk, readAheadBytes: Budget)))
                .RunWith(this.SinkProbe<ByteString>(), Materializer);
            sink.Request(40);
            await sink.ExpectNextNAsync(40).ToListAsync();
            sink.Cancel();
        }, Materializer);
    }
}
