using System.Buffers;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using CsCheck;
using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Layers;
using ParallelDiff.Streams.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace ParallelDiff.Streams.Tests;

public sealed class BlockCompressionFlowTests : StreamsSpec
{
    public BlockCompressionFlowTests(ITestOutputHelper output) : base(output)
    {
    }

    [Theory]
    [InlineData(LayerCompression.None)]
    [InlineData(LayerCompression.Gzip)]
    [InlineData(LayerCompression.Zstd)]
    [InlineData(LayerCompression.Lz4)]
    public async Task BlockCompressionFlow_should_equal_BlockCompressingStream_for_any_block_size_and_parallelism(LayerCompression kind)
    {
        var gen =
            from length in Gen.Int[0, 40_000]
            from seed in Gen.Int
            from blockSize in Gen.OneOf(Gen.Int[1, 600], Gen.Int[4096, 20_000], Gen.Const(65_536))
            from parallelism in Gen.Int[1, 9]
            select (length, seed, blockSize, parallelism);

        await gen.SampleAsync(async t =>
        {
            var data = TestBytes(t.length, t.seed);
            var compression = CompressionSettings.For(kind, blockSize: t.blockSize);
            var expected = Sequential(data, compression);
            var actual = await Run(Blocks(data, t.blockSize), compression, t.parallelism);
            return expected.AsSpan().SequenceEqual(actual);
        }, iter: 40, threads: 1);
    }

    [Fact]
    public async Task BlockCompressionFlow_should_emit_one_unit_for_the_empty_block_of_an_empty_stream()
    {
        var compression = CompressionSettings.For(LayerCompression.Gzip, blockSize: 1024);

        var actual = await Run(Blocks([], 1024), compression, 4);

        Assert.Equal(Sequential([], compression), actual);
        Assert.NotEmpty(actual);
    }

    [Theory]
    [InlineData(LayerCompression.Gzip)]
    [InlineData(LayerCompression.Zstd)]
    [InlineData(LayerCompression.Lz4)]
    public async Task BlockCompressionFlow_should_release_every_block_it_compresses(LayerCompression kind)
    {
        var compression = CompressionSettings.For(kind, blockSize: 4096);
        var blocks = Blocks(TestBytes(50_000, 5), 4096);

        await Run(blocks, compression, 3);

        Assert.All(blocks, block => Assert.Throws<ObjectDisposedException>(() => block.Span.Length));
    }

    [Fact]
    public async Task BlockCompressionFlow_should_pass_uncompressed_blocks_through_without_a_copy()
    {
        var blocks = Blocks(TestBytes(10_000, 6), 4096);

        var passed = await Source.From(blocks)
            .Via(BlockCompressionFlow.Create(CompressionSettings.For(LayerCompression.None, blockSize: 4096), SmallSettings()))
            .RunWith(Sink.Seq<LayerBytes>(), Materializer);

        Assert.Equal(blocks.Count, passed.Count);
        Assert.All(blocks.Zip(passed), pair => Assert.Same(pair.First, pair.Second));
    }

    [Fact]
    public async Task BlockCompressionFlow_should_emit_in_block_order_as_demanded_and_stop_every_stage_on_cancel()
    {
        var compression = CompressionSettings.For(LayerCompression.Zstd, blockSize: 4096);
        var data = TestBytes(40_000, 8);
        await this.AssertAllStagesStoppedAsync(async () =>
        {
            var (source, sink) = this.SourceProbe<LayerBytes>()
                .Via(BlockCompressionFlow.Create(compression, SmallSettings(parallelism: 3)))
                .ToMaterialized(this.SinkProbe<LayerBytes>(), Keep.Both)
                .Run(Materializer);
            var blocks = Blocks(data, 4096);
            using var codec = BlockCodecs.Create(compression.Kind, compression.Level);

            sink.Request(2);
            for (var k = 0; k < 4; k++)
            {
                // Waits for the flow's demand before each block.
                await source.SendNextAsync(blocks[k]);
            }

            for (var k = 0; k < 2; k++)
            {
                var unit = await sink.ExpectNextAsync();
                var expected = new ArrayBufferWriter<byte>();
                codec.CompressBlock(data.AsSpan(k * 4096, 4096), expected);
                Assert.True(expected.WrittenSpan.SequenceEqual(unit.Span), $"unit {k} is not block {k}'s");
            }

            // Two units taken, more compressed but not asked for: nothing more comes.
            await sink.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
            sink.Cancel();
            await source.ExpectCancellationAsync();
        }, Materializer);
    }

    private async Task<byte[]> Run(IEnumerable<LayerBytes> blocks, CompressionSettings compression, int parallelism)
    {
        var units = await Source.From(blocks)
            .Via(BlockCompressionFlow.Create(compression, SmallSettings(parallelism)))
            .RunWith(Sink.Seq<LayerBytes>(), Materializer);
        var bytes = units.SelectMany(u => u.Span.ToArray()).ToArray();
        foreach (var unit in units)
        {
            unit.Release();
        }

        return bytes;
    }

    /// <summary>The data cut as TarEncodingFlow cuts a tar, each block in a buffer rented from the pool.</summary>
    private static List<LayerBytes> Blocks(byte[] data, int blockSize)
    {
        var blocks = new List<LayerBytes>();
        for (var offset = 0; offset < data.Length || blocks.Count == 0; offset += blockSize)
        {
            var length = Math.Min(blockSize, data.Length - offset);
            var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, length));
            data.AsSpan(offset, length).CopyTo(buffer);
            blocks.Add(LayerBytes.Rented(buffer, length));
        }

        return blocks;
    }

    internal static byte[] Sequential(byte[] data, CompressionSettings compression)
    {
        using var output = new MemoryStream();
        using (var codec = BlockCodecs.Create(compression.Kind, compression.Level))
        using (var stream = new BlockCompressingStream(output, codec, compression.BlockSize, leaveOpen: true))
        {
            stream.Write(data);
        }

        return output.ToArray();
    }

    internal static byte[] TestBytes(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data.AsSpan(0, length / 3));
        return data;
    }

    /// <summary>The data cut at the given offsets (sorted, clamped), empty pieces included, each wrapped as GC-owned bytes.</summary>
    internal static List<LayerBytes> Chunks(byte[] data, int[] cuts)
    {
        var offsets = cuts.Select(c => Math.Min(c, data.Length)).Append(0).Append(data.Length).Order().ToArray();
        var chunks = new List<LayerBytes>();
        for (var i = 1; i < offsets.Length; i++)
        {
            chunks.Add(LayerBytes.Of(data.AsSpan(offsets[i - 1], offsets[i] - offsets[i - 1]).ToArray()));
        }

        return chunks;
    }
}
