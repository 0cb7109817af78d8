using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Streams;

/// <summary>
/// One layer blob, end to end, as a stream: changes → <see cref="ChangeWriterFlow"/> →
/// <see cref="TarEncodingFlow"/> (the tar laid out in pooled blocks, filled by parallel reads) →
/// diffID <see cref="DigestFlow"/> → <see cref="BlockCompressionFlow"/> (parallel blocks) → blob
/// <see cref="DigestFlow"/> (compressed layers only) → <see cref="AtomicFileSink"/>. The same composition as Core's
/// SequentialLayerExporter, so the same bytes, with every stage backpressured by the file writer.
/// </summary>
public static class LayerPipeline
{
    /// <summary>Writes the layer of a parallel walk's shards (any arrival order) to <paramref name="outputPath"/>.</summary>
    public static Task<LayerPipelineResult> RunAsync<TMat>(
        Source<ShardResult, TMat> shards,
        ISnapshotTree parents,
        ChangeWriterOptions writer,
        CompressionSettings compression,
        PipelineSettings settings,
        string outputPath,
        IMaterializer materializer,
        CancellationToken cancellationToken,
        LayerMeter? meter = null,
        Func<IBlobTarget>? openBlob = null,
        ReadAheadGauge? readAhead = null)
    {
        ArgumentNullException.ThrowIfNull(shards);
        if (meter is not null)
        {
            // The walk's shards arrive as it classifies them, ahead of the tar: each adds its
            // changes' data to the total, which is whole when the walk ends (the source completes).
            shards = shards
                .Select(shard =>
                {
                    foreach (var item in shard.Items)
                    {
                        if (item.Change is { } change)
                        {
                            meter.AddTotal(LayerMeter.DataOf(change));
                        }
                    }

                    return shard;
                })
                .WatchTermination((mat, done) =>
                {
                    done.ContinueWith(_ => meter.CompleteTotal(), TaskScheduler.Default);
                    return mat;
                });
        }

        return RunAsync(shards.Via(new OrderedShardMerge()), parents, writer, compression, settings, outputPath, materializer, cancellationToken, meter, openBlob, readAhead);
    }

    /// <summary>
    /// Writes the layer of changes in the sequential walk's order to <paramref name="outputPath"/>.
    /// Cancelling <paramref name="cancellationToken"/> aborts the whole graph; the output file
    /// then does not exist (nor its temporary file) when the returned task ends.
    /// </summary>
    /// <param name="meter">Counts file data read and blob bytes written as they pass, for progress views; optional (no stage is added without it).</param>
    /// <param name="openBlob">Where the blob goes instead of a file at <paramref name="outputPath"/> (a registry upload, or a file and one); <paramref name="outputPath"/> then only names it.</param>
    /// <param name="readAhead">Counts the file data read ahead of the tar writer, for a host to sample (metrics); optional.</param>
    /// <exception cref="OperationCanceledException">The token was cancelled.</exception>
    /// <exception cref="IOException">A file could not be read as the diff described it (the message names the path), or the output could not be written.</exception>
    public static async Task<LayerPipelineResult> RunAsync<TMat>(
        Source<Change, TMat> changes,
        ISnapshotTree parents,
        ChangeWriterOptions writer,
        CompressionSettings compression,
        PipelineSettings settings,
        string outputPath,
        IMaterializer materializer,
        CancellationToken cancellationToken,
        LayerMeter? meter = null,
        Func<IBlobTarget>? openBlob = null,
        ReadAheadGauge? readAhead = null)
    {
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(compression);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrEmpty(outputPath);
        cancellationToken.ThrowIfCancellationRequested();
        // The sink's island needs its dispatcher when the graph is materialized, before any stage starts.
        StreamsConfig.RegisterDispatchers(StreamsConfig.SystemOf(materializer), settings);

        var ((((tar, diffId), blob), killSwitch), written) = changes
            .Via(ChangeWriterFlow.Create(parents, writer))
            .ViaMaterialized(TarEncodingFlow.Create(settings, compression.BlockSize, readAhead, meter), Keep.Right)
            .ViaMaterialized(new DigestFlow(), Keep.Both)
            .Via(BlockCompressionFlow.Create(compression, settings))
            .ViaMaterialized(BlobDigest(compression), Keep.Both)
            .Via(Metered(meter))
            .ViaMaterialized(KillSwitches.Single<LayerBytes>(), Keep.Both)
            .ToMaterialized(AtomicFileSink.Create(outputPath, settings.IoDispatcher, openBlob), Keep.Both)
            .Run(materializer);

        // The switch sits just before the sink: an abort reaches the sink (which deletes the
        // temporary file) at once, and cancels everything upstream of it.
        await using (cancellationToken.Register(() => killSwitch.Abort(new OperationCanceledException(cancellationToken))).ConfigureAwait(false))
        {
            try
            {
                await written.ConfigureAwait(false);
            }
            catch (Exception e) when (cancellationToken.IsCancellationRequested && e is not OperationCanceledException)
            {
                // Whatever the abort surfaced as (the kill switch wraps its reason), the caller asked for this.
                throw new OperationCanceledException("the layer export was cancelled", e, cancellationToken);
            }
        }

        meter?.Finish();
        var tarResult = await tar.ConfigureAwait(false);
        var tarDigest = await diffId.ConfigureAwait(false);
        var blobDigest = blob is null ? tarDigest : await blob.ConfigureAwait(false);
        var descriptor = new LayerDescriptor(MediaTypes.ForLayer(compression.Kind), blobDigest.Digest, blobDigest.Length, tarDigest.Digest);
        return new LayerPipelineResult(descriptor, tarResult.Entries, tarResult.DataBytes, tarDigest.Length);
    }

    /// <summary>Counts the blob's bytes on their way to the file; nothing at all without a meter.</summary>
    private static Flow<LayerBytes, LayerBytes, NotUsed> Metered(LayerMeter? meter) =>
        meter is null
            ? Flow.Create<LayerBytes>()
            : Flow.Create<LayerBytes>().Select(bytes =>
            {
                meter.AddOut(bytes.Length);
                return bytes;
            });

    /// <summary>
    /// The blob digest's tee; none for an uncompressed layer, whose blob is the tar itself: its
    /// digest is the diffID, and a second sha256 pass over the same bytes would only cost CPU.
    /// </summary>
    private static Flow<LayerBytes, LayerBytes, Task<StreamDigest>?> BlobDigest(CompressionSettings compression) =>
        compression.Kind == LayerCompression.None
            ? Flow.Create<LayerBytes>().MapMaterializedValue(_ => (Task<StreamDigest>?)null)
            : Flow.FromGraph(new DigestFlow()).MapMaterializedValue(digest => (Task<StreamDigest>?)digest);
}
