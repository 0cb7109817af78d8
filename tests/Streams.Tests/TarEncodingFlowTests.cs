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
    private const int Block = 64 * 1024;
    private const long Budget = 4 * Block;
    private readonly LayerTree _tree;
    private readonly ITestOutputHelper _output;

    public TarEncodingFlowTests(LayerTreeFixture fixture, ITestOutputHelper output) : base(output)
    {
        _tree = fixture.Tree;
        _output = output;
    }

    [Theory]
    [InlineData(509)]
    [InlineData(7_000)]
    [InlineData(Block)]
    [InlineData(1 << 20)]
    [InlineData(16 << 20)]
    public async Task TarEncodingFlow_should_write_the_sequential_tar_writers_bytes_cut_in_blocks(int blockSize)
    {
        var (blocks, counts) = await Source.From(_tree.Changes)
            .Via(ChangeWriterFlow.Create(_tree.Parents, LayerTree.WriterOptions))
            .ViaMaterialized(TarEncodingFlow.Create(SmallSettings(readAheadBytes: 10L * blockSize), blockSize), Keep.Right)
            .ToMaterialized(Sink.Seq<LayerBytes>(), (c, t) => (t, c))
            .Run(Materializer)
            .Await();

        var expected = _tree.Reference(CompressionSettings.For(Core.Compression.LayerCompression.None));
        AssertBlocks(_tree.ReferenceTar(), blockSize, blocks);
        Assert.Equal(new TarEncodingResult(expected.Entries, expected.DataBytes), counts);
    }

    [Theory]
    [InlineData(512, 1)]
    [InlineData(4_096, 2)]
    [InlineData(65_536, 3)]
    [InlineData(1 << 20, 4)]
    public async Task TarEncodingFlow_should_pack_many_small_files_into_each_block_and_open_each_file_once(int blockSize, int seed)
    {
        using var files = new ManyFiles(600, seed);

        var blocks = await Source.From(files.Entries)
            .Via(TarEncodingFlow.Create(SmallSettings(readAheadBytes: 3L * blockSize), blockSize))
            .RunWith(Sink.Seq<LayerBytes>(), Materializer);

        Assert.Equal(files.Entries.Count(e => e.HasData), files.Tree.OpenThreads.Count);
        AssertBlocks(files.ReferenceTar(), blockSize, blocks);
    }

    [Fact]
    public async Task TarEncodingFlow_should_keep_read_ahead_within_its_budget_when_downstream_is_slow()
    {
        var gauge = new ReadAheadGauge();
        var settings = SmallSettings(readAheadBytes: Budget);
        await this.AssertAllStagesStoppedAsync(async () =>
        {
            var sink = Source.From(_tree.Changes)
                .Via(ChangeWriterFlow.Create(_tree.Parents, LayerTree.WriterOptions))
                .Via(TarEncodingFlow.Create(settings, Block, gauge))
                .RunWith(this.SinkProbe<LayerBytes>(), Materializer);

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

                var block = ((TestSubscriber.OnNext<LayerBytes>)next).Element;
                received += block.Length;
                block.Release();
            }

            _output.WriteLine($"peak read-ahead {gauge.Peak} bytes of {Budget}");
            Assert.Equal(_tree.ReferenceTar().Length, received);
            // More than one block read ahead at once, never more than the budget.
            Assert.InRange(gauge.Peak, Block + 1, Budget);
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
            .ViaMaterialized(TarEncodingFlow.Create(SmallSettings(readAheadBytes: 8 << 20), 1 << 20, gauge), Keep.Right)
            .ViaMaterialized(new DigestFlow(), Keep.Both)
            .To(Sink.ForEach<LayerBytes>(block => block.Release()))
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

    [Theory]
    [InlineData(1_000, 2_000, Block)]
    [InlineData(300_000, 400_000, Block)]
    public async Task TarEncodingFlow_should_fail_naming_a_file_that_shrank_since_its_lstat(int size, int announced, int blockSize)
    {
        using var file = new SingleFile(size);

        var error = await Assert.ThrowsAsync<FsException>(() => Source.Single(file.Entry(announcedSize: announced))
            .Via(TarEncodingFlow.Create(SmallSettings(), blockSize))
            .RunWith(Sink.Ignore<LayerBytes>(), Materializer));

        Assert.Contains(file.FilePath, error.Message);
        Assert.Contains("shrank", error.Message);
    }

    // In one block; spanning blocks; and ending exactly at the end of a block and of its pooled
    // buffer (a power of two), where the extra byte that shows growth has no room.
    [Theory]
    [InlineData(2_000, 1_000, Block)]
    [InlineData(300_000, 200_000, Block)]
    [InlineData(300_000, Block - 512, Block)]
    [InlineData(300_000, (3 * Block) - 512, Block)]
    public async Task TarEncodingFlow_should_fail_naming_a_file_that_grew_since_its_lstat(int size, int announced, int blockSize)
    {
        using var file = new SingleFile(size);

        var error = await Assert.ThrowsAsync<FsException>(() => Source.Single(file.Entry(announcedSize: announced))
            .Via(TarEncodingFlow.Create(SmallSettings(), blockSize))
            .RunWith(Sink.Ignore<LayerBytes>(), Materializer));

        Assert.Contains(file.FilePath, error.Message);
        Assert.Contains("grew", error.Message);
    }

    [Fact]
    public async Task TarEncodingFlow_should_read_a_file_ending_exactly_at_a_block_end()
    {
        using var file = new SingleFile((2 * Block) - 512);

        var blocks = await Source.Single(file.Entry())
            .Via(TarEncodingFlow.Create(SmallSettings(), Block))
            .RunWith(Sink.Seq<LayerBytes>(), Materializer);

        using var expected = new MemoryStream();
        var tar = new TarStreamWriter(expected, CancellationToken.None);
        tar.Write(file.Entry());
        tar.Finish();
        AssertBlocks(expected.ToArray(), Block, blocks);
    }

    [Fact]
    public async Task TarEncodingFlow_should_fail_naming_a_file_deleted_since_the_diff()
    {
        using var file = new SingleFile(1000);
        var entry = file.Entry();
        File.Delete(file.FilePath);

        var error = await Assert.ThrowsAsync<FsException>(() => Source.Single(entry)
            .Via(TarEncodingFlow.Create(SmallSettings(), Block))
            .RunWith(Sink.Ignore<LayerBytes>(), Materializer));

        Assert.Contains(file.FilePath, error.Message);
    }

    [Fact]
    public async Task TarEncodingFlow_should_read_file_data_on_the_io_dispatcher()
    {
        using var file = new SingleFile(500_000);
        var recording = new RecordingTree(file.Tree);

        await Source.Single(file.Entry(source: recording))
            .Via(TarEncodingFlow.Create(SmallSettings(), Block))
            .RunWith(Sink.Ignore<LayerBytes>(), Materializer);

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
                .Via(TarEncodingFlow.Create(SmallSettings(readAheadBytes: Budget), Block))
                .RunWith(this.SinkProbe<LayerBytes>(), Materializer);
            sink.Request(40);
            await sink.ExpectNextNAsync(40).ToListAsync();
            sink.Cancel();
        }, Materializer);
    }

    /// <summary>The blocks are the tar cut at every multiple of the block size, and are released once.</summary>
    private static void AssertBlocks(byte[] tar, int blockSize, IReadOnlyList<LayerBytes> blocks)
    {
        Assert.Equal((tar.Length + blockSize - 1) / blockSize, blocks.Count);
        for (var k = 0; k < blocks.Count; k++)
        {
            var expected = tar.AsSpan(k * blockSize, Math.Min(blockSize, tar.Length - (k * blockSize)));
            Assert.True(expected.SequenceEqual(blocks[k].Span), $"block {k} of {blocks.Count} differs from TarStreamWriter's bytes");
            blocks[k].Release();
        }
    }
}
