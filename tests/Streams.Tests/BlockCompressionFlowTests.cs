using Akka.IO;
using Akka.Streams.Dsl;
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
    public async Task BlockCompressionFlow_should_equal_BlockCompressingStream_for_any_chunking_block_size_and_parallelism(LayerCompression kind)
    {
        var gen =
            from length in Gen.Int[0, 40_000]
            from seed in Gen.Int
            from cuts in Gen.Int[0, 40_000].Array[0, 12]
            from blockSize in Gen.OneOf(Gen.Int[1, 600], Gen.Int[4096, 20_000], Gen.Const(65_536))
            from parallelism in Gen.Int[1, 9]
            select (length, seed, cuts, blockSize, parallelism);

        await gen.SampleAsync(async t =>
        {
            var data = TestBytes(t.length, t.seed);
            var compression = CompressionSettings.For(kind, blockSize: t.blockSize);
            var expected = Sequential(data, compression);
            var actual = await Run(Chunks(data, t.cuts), compression, t.parallelism);
            return expected.AsSpan().SequenceEqual(actual);
        }, iter: 40, threads: 1);
    }

    [Fact]
    public async Task BlockCompressionFlow_should_emit_one_unit_for_an_empty_stream()
    {
        var compression = CompressionSettings.For(LayerCompression.Gzip, blockSize: 1024);

        var actual = await Run([], compression, 4);

        Assert.Equal(Sequential([], compression), actual);
        Assert.NotEmpty(actual);
    }

    [Fact]
    public async Task BlockCompressionFlow_should_compress_a_short_final_block_once()
    {
        var compression = CompressionSettings.For(LayerCompression.Gzip, blockSize: 4096);
        var data = TestBytes(1024, 7);

        var actual = await Run([ByteString.FromBytes(data)], compression, 2);

        Assert.Equal(Sequential(data, compression), actual);
    }

    private async Task<byte[]> Run(IEnumerable<ByteString> chunks, CompressionSettings compression, int parallelism)
    {
        var settings = SmallSettings(parallelism);
        var parts = await Source.From(chunks)
            .Via(BlockCompressionFlow.Create(compression, settings))
            .RunWith(Sink.Seq<ByteString>(), Materializer);
        return parts.SelectMany(p => p.ToArray()).ToArray();
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

    /// <summary>The data cut at the given offsets (sorted, clamped), empty pieces included.</summary>
    internal static List<ByteString> Chunks(byte[] data, int[] cuts)
    {
        var offsets = cuts.Select(c => Math.Min(c, data.Length)).Append(0).Append(data.Length).Order().ToArray();
        var chunks = new List<ByteString>();
        for (var i = 1; i < offsets.Length; i++)
        {
            var length = offsets[i] - offsets[i - 1];
            chunks.Add(length == 0 ? ByteString.Empty : ByteString.FromBytes(data, offsets[i - 1], length));
        }

        return chunks;
    }
}
