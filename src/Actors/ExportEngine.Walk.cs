using System.Runtime.ExceptionServices;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using ParallelDiff.Actors.Walk;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Snapshots;
using ParallelDiff.Streams;

namespace ParallelDiff.Actors;

/// <summary>The actor path: a sharded walk feeding the layer stream, and the auto differ's fallback.</summary>
public sealed partial class ExportEngine
{
    /// <summary>How long an export waits, after its stream ended, for its walk supervisor and workers to be gone.</summary>
    private static readonly TimeSpan WalkStopWait = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The overlay walk, or the walking differ when asked for or when there is no upper. With
    /// DifferKind.Auto an overlay inconsistency (a SnapshotException in a shard) is reported as a
    /// warning and the walking differ starts over in a fresh walk and a fresh stream: the failed
    /// stream has already deleted its temporary file, so none of its bytes reach the output.
    /// </summary>
    internal async Task<LayerExportResult> ExportAsync(LayerSource source, ExportOptions options, ExportSettings settings, IProgress<LayerProgress>? progress, CancellationToken cancellationToken)
    {
        var first = options.Layer.Differ == DifferKind.Walking || !source.HasUpper ? DifferKind.Walking : DifferKind.Overlay;
        try
        {
            return await RunWalkAsync(source, source.PlanFor(first), options, settings, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (WalkFailedException e) when (options.Layer.Differ == DifferKind.Auto && first == DifferKind.Overlay
            && e.InnerException is SnapshotException inconsistency && !cancellationToken.IsCancellationRequested)
        {
            // The same words as Core's SnapshotDiff.Run, so both paths warn alike.
            Warner(source.Snapshot, options, progress)($"warning: overlay differ failed ({inconsistency.Message}); falling back to the walking differ");
            options.Meter?.Reset();
            return await RunWalkAsync(source, source.PlanFor(DifferKind.Walking), options, settings, progress, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<LayerExportResult> RunWalkAsync(LayerSource source, WalkPlan plan, ExportOptions options, ExportSettings settings, IProgress<LayerProgress>? progress, CancellationToken cancellationToken)
    {
        var (queue, shards) = Source.Queue<ShardResult>(settings.ShardBuffer, OverflowStrategy.Backpressure).PreMaterialize(Materializer);
        var walked = new TaskCompletionSource<WalkSummary>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stopWalk = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var supervisor = System.ActorOf(
            WalkSupervisor.Props(plan, settings.Walk, queue, walked, progress, stopWalk.Token),
            $"walk-{Interlocked.Increment(ref _walks)}");
        var writer = options.Layer.Writer with { Xattrs = options.Layer.Diff.Xattrs };
        var readAhead = new ReadAheadGauge();
        using var tracked = ParallelDiffTelemetry.IsEnabled ? ExportInstruments.TrackReadAhead(readAhead, ReadAheadLimit(settings.Pipeline, options.Compression.BlockSize)) : null;
        try
        {
            var written = await LayerPipeline.RunAsync(shards, source.Parents, writer, options.Compression, settings.Pipeline, options.OutputPath, Materializer, cancellationToken, options.Meter, options.OpenBlob, readAhead)
                .ConfigureAwait(false);
            var summary = await walked.Task.ConfigureAwait(false);
            progress?.Report(new LayerProgress(source.Snapshot, ExportPhase.Completed, summary.Shards, summary.Shards));
            return written.ToExportResult(summary.Differ);
        }
        catch (Exception) when (!walked.Task.IsCompletedSuccessfully)
        {
            // The stream failed or was cancelled: stop the walk if it still runs (a read error or a
            // full disk ends the stream first), and report the walk's own failure, which names the
            // snapshot and the path, rather than the stream's relay of it.
            await stopWalk.CancelAsync().ConfigureAwait(false);
            if (walked.Task.IsFaulted && walked.Task.Exception.InnerException is WalkFailedException failure && !cancellationToken.IsCancellationRequested)
            {
                ExceptionDispatchInfo.Throw(failure);
            }

            cancellationToken.ThrowIfCancellationRequested();
            throw;
        }
        finally
        {
            // Returning means the layer's actors are gone: none still reads the snapshot.
            await WaitStopped(supervisor).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The most file data a layer's read-ahead holds: its blocks in flight (TarEncodingFlow fills all
    /// but one at once, and the last is handed on), each at most one compression block of data.
    /// </summary>
    private static long ReadAheadLimit(PipelineSettings pipeline, int blockSize) => (long)pipeline.BlocksInFlight(blockSize) * blockSize;

    private static async Task WaitStopped(IActorRef supervisor)
    {
        try
        {
            await supervisor.WatchAsync().WaitAsync(WalkStopWait).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A worker stuck in a system call it cannot leave (a hung NFS mount): the export's
            // outcome is already decided and its file settled; the supervisor stops when it can.
        }
    }
}
