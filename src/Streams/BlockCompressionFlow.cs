using System.Buffers;
using System.Runtime.InteropServices;
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
        return Flow.Setup<ByteString, ByteString, NotUsed>((materializer, _) =>
            {
                var cpu = new DispatcherTaskScheduler(StreamsConfig.Dispatcher(materializer.System, settings.CpuDispatcher));
                // One codec per materialization: it pools compression contexts across its blocks.
                var codec = BlockCodecs.Create(compression.Kind, compression.Level);
                var stopped = new CancellationTokenSource();
                return Flow.FromGraph(new BlockCutter(compression.BlockSize))
                    .SelectAsync(settings.EffectiveParallelism, block => cpu.Run(() => Compress(codec, block), stopped.Token))
                    .WatchTermination((mat, done) =>
                    {
                        done.ContinueWith(_ => Release(codec, stopped), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
                        return mat;
                    });
            })
            .MapMaterializedValue(_ => NotUsed.Instance)
            .Named("blockCompression");
    }

    private static ByteString Compress(IBlockCodec codec, Block block)
    {
        try
        {
            var unit = new ArrayBufferWriter<byte>();
            codec.CompressBlock(block.Span, unit);
            // The writer's array is wrapped, not copied: nothing writes to it after this point.
            return MemoryMarshal.TryGetArray(unit.WrittenMemory, out var segment)
                ? ByteString.FromBytes(segment)
                : ByteString.FromBytes(unit.WrittenSpan.ToArray());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(block.Buffer);
        }
    }

    /// <summary>
    /// Blocks queued but not started are dropped; a compression still running may outlive the
    /// stream by one block, which the codec tolerates (its Dispose frees only idle contexts).
    /// </summary>
    private static void Release(IBlockCodec codec, CancellationTokenSource stopped)
    {
        stopped.Cancel();
        codec.Dispose();
        stopped.Dispose();
    }
}
