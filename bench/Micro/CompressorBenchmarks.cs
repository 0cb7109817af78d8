using System.Buffers;
using BenchmarkDotNet.Attributes;
using ParallelDiff.Core.Compression;

namespace ParallelDiff.Micro.Benchmarks;

/// <summary>One 4 MiB block (the layer's compression unit) through each block codec at its default level.</summary>
public class CompressorBenchmarks
{
    private const int BlockSize = 4 << 20;
    private byte[] _block = [];
    private IBlockCodec _codec = null!;
    private readonly ArrayBufferWriter<byte> _output = new(BlockSize + (BlockSize / 8));

    [Params(LayerCompression.Zstd, LayerCompression.Gzip, LayerCompression.Lz4)]
    public LayerCompression Kind { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _block = SampleData.LayerLikeBlock(BlockSize);
        _codec = BlockCodecs.Create(Kind);
    }

    [GlobalCleanup]
    public void Cleanup() => _codec.Dispose();

    /// <returns>The compressed size, so the ratio shows in the results too.</returns>
    [Benchmark]
    public int CompressBlock()
    {
        _output.ResetWrittenCount();
        return _codec.CompressBlock(_block, _output);
    }
}
