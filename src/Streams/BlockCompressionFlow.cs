using Akka;
using Akka.IO;
using Akka.Streams.Dsl;
using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Layers;

namespace ParallelDiff.Streams;

/// <summary>
/// The parallel counterpart of BlockCompressingStream: cuts the tar into fixed blocks
/// (<see cref="BlockCutter"/>), compresses up to <c>parallelism</c> of them at once on the
/// cpu-dispatcher, and emits the units in block order. Each unit depends only on its block's
/// bytes and the level (see IBlockCodec), so the output equals the sequential stream's at any
/// parallelism.
/// </summary>
public static class BlockCompressionFlow
{
    public static Flow<ByteString, ByteString, NotUsed> Create(CompressionSettings compression, PipelineSettings settings)
    {
        ArgumentNullException.ThrowIfNull(compression);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(compression.BlockSize, BlockCompressingStream.MaxBlockSize);
        return Flow.FromGraph(new BlockCutter(compression, settings.CpuDispatcher))
            .SelectAsync(settings.EffectiveParallelism, block => block.CompressAsync())
            .SelectError(TaskFailures.Unwrap)
            .Named("blockCompression");
    }
}
