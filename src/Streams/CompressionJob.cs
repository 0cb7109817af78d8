namespace ParallelDiff.Streams;

/// <summary>A block to compress, with the compressor of the materialization that took it in.</summary>
internal readonly record struct CompressionJob(LayerBytes Block, BlockCompressor Compressor)
{
    public Task<LayerBytes> RunAsync() => Compressor.CompressAsync(Block);
}
