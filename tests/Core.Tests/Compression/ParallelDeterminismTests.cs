using ParallelDiff.Core.Compression;
using Xunit;

namespace ParallelDiff.Core.Tests.Compression;

/// <summary>
/// The blob must be a function of the bytes, the codec and the block size only: not of the number
/// of workers, not of how writes are chunked, not of flushes, not of which pooled context ran.
/// </summary>
public sealed class ParallelDeterminismTests
{
    private const int BlockSize = 256 * 1024;

    public static TheoryData<LayerCompression, int> KindsAndWorkers()
    {
        var data = new TheoryData<LayerCompression, int>();
        // zstd:chunked and eStargz have no block codec: their frames follow the files (LazyPull).
        foreach (var kind in Enum.GetValues<LayerCompression>().Where(k => !k.IsLazyPull()))
        {
            foreach (var workers in new[] { 1, 2, 8 })
            {
                data.Add(kind, workers);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(KindsAndWorkers))]
    public void Parallel_blocks_should_equal_the_sequential_stream(LayerCompression kind, int workers)
    {
        var input = TestData.Mixed((3 * 1024 * 1024) + 4321, 20);
        using var codec = BlockCodecs.Create(kind);

        // Warm the pool with other data first, so reused contexts are exercised too.
        TestData.CompressParallel(codec, TestData.Random(5 * BlockSize, 21), BlockSize, 8);

        var parallel = TestData.CompressParallel(codec, input, BlockSize, workers);
        var sequential = TestData.CompressSequential(codec, input, BlockSize);

        BytesAssert.Equal(sequential, parallel, $"{kind} with {workers} workers");
        BytesAssert.Equal(input, TestData.Decompress(parallel), $"{kind} parallel blob decoded");
    }

    [Theory]
    [InlineData(LayerCompression.Gzip)]
    [InlineData(LayerCompression.Zstd)]
    [InlineData(LayerCompression.Lz4)]
    public void Empty_and_exact_multiple_inputs_should_match_the_parallel_rule(LayerCompression kind)
    {
        using var codec = BlockCodecs.Create(kind);
        foreach (var input in new[] { Array.Empty<byte>(), TestData.Compressible(2 * BlockSize, 22) })
        {
            BytesAssert.Equal(
                TestData.CompressSequential(codec, input, BlockSize),
                TestData.CompressParallel(codec, input, BlockSize, 2),
                $"{kind}, {input.Length} bytes");
        }
    }

    [Theory]
    [InlineData(LayerCompression.Gzip)]
    [InlineData(LayerCompression.Zstd)]
    [InlineData(LayerCompression.Lz4)]
    public async Task Chunked_writes_flushes_and_async_writes_should_not_change_the_bytes(LayerCompression kind)
    {
        var input = TestData.Mixed((2 * BlockSize) + 777, 23);
        using var codec = BlockCodecs.Create(kind);
        var reference = TestData.CompressSequential(codec, input, BlockSize);

        using var chunked = new MemoryStream();
        using (var z = new BlockCompressingStream(chunked, codec, BlockSize, leaveOpen: true))
        {
            var sizes = new[] { 1, 7, 4096, 65537, BlockSize + 3 };
            for (int at = 0, i = 0; at < input.Length; i++)
            {
                var n = Math.Min(sizes[i % sizes.Length], input.Length - at);
                z.Write(input, at, n);
                z.Flush();
                at += n;
            }
        }

        BytesAssert.Equal(reference, chunked.ToArray(), "chunked writes with flushes");

        using var viaAsync = new MemoryStream();
        await using (var z = new BlockCompressingStream(viaAsync, codec, BlockSize, leaveOpen: true))
        {
            await z.WriteAsync(input.AsMemory(0, 1000));
            await z.FlushAsync();
            await z.WriteAsync(input.AsMemory(1000));
        }

        BytesAssert.Equal(reference, viaAsync.ToArray(), "async writes");
    }

    [Fact]
    public void Fresh_and_reused_zstd_contexts_should_give_the_same_frames()
    {
        var block = TestData.Compressible(BlockSize, 24);
        using var fresh = BlockCodecs.Create(LayerCompression.Zstd);
        var a = new System.Buffers.ArrayBufferWriter<byte>();
        fresh.CompressBlock(block, a);

        using var reused = BlockCodecs.Create(LayerCompression.Zstd);
        reused.CompressBlock(TestData.Random(BlockSize, 25), new System.Buffers.ArrayBufferWriter<byte>());
        var b = new System.Buffers.ArrayBufferWriter<byte>();
        reused.CompressBlock(block, b);

        BytesAssert.Equal(a.WrittenSpan, b.WrittenSpan, "zstd frame from a reused context");
    }
}
