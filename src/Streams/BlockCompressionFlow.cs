using Akka;
using Akka.Streams.Dsl;
using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Layers;

namespace ParallelDiff.Streams;

/// <summary>
/// The parallel counterpart of BlockCompressingStream, over the blocks <see cref="TarEncodingFlow"/>
/// cut: compresses up to <c>parallelism</c> of them at once on the cpu-dispatcher and emits the
/// units in block order. Each unit depends only on its block's bytes and the level (see
/// IBlockCodec), so the output equals the sequential stream's at any parallelism. For
/// <see cref="LayerCompression.None"/> the blocks pass through untouched (the unit is the block):
/// no copy, no hop to another thread.
/// </summary>
public static class BlockCompressionFlow
{
    /// <returns>
    /// The flow. It releases each block it compresses; each unit it emits, or for
    /// <see cref="LayerCompression.None"/> each block, is the consumer's to release (see <see cref="LayerBytes"/>).
    /// </returns>
    public static Flow<LayerBytes, LayerBytes, NotUsed> Create(CompressionSettings compression, PipelineSettings settings)
    {
        ArgumentNullException.ThrowIfNull(compression);
        ArgumentNullException.ThrowIfNull(settings);
        if (compression.Kind == LayerCompression.None)
        {
            return Flow.Create<LayerBytes>().Named("blockCompression");
        }

        return Flow.FromGraph(new CompressionJobs(compression, settings.CpuDispatcher))
            .SelectAsync(settings.EffectiveParallelism, job => job.RunAsync())
            .SelectError(TaskFailures.Unwrap)
            .Named("blockCompression");
    }
}
