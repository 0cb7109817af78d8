using ParallelDiff.Cli.Layers;
using ParallelDiff.Cli.Progress;
using ParallelDiff.Cli.Push;
using ParallelDiff.Core.Export;
using ParallelDiff.Core.Layers;

namespace ParallelDiff.Cli.Export;

/// <summary>
/// One job of a push-only export: its layer goes to the registry while it is compressed, then its
/// image and tag. Shared by <see cref="RegistryExport"/> and a cluster node, so that a job gives
/// the same image wherever it runs. A failure is the job's own (a failed entry), never thrown.
/// </summary>
public static class PushedJob
{
    /// <returns>The job's journal line: done with its push record, or failed with its cause.</returns>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static Task<JournalEntry> ExportAsync(PlannedJob planned, ILayerWriter writer, IExportProgress progress, ExportPushes pushes, int parallelism, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(planned);
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(pushes);
        return JobRun.RunAsync(planned, progress, async (meter, clock) =>
        {
            var job = planned.Job;
            var snapshot = planned.ResolveSnapshot();
            var target = pushes.TargetOf(job.Id)!;
            using var push = await pushes.StartLayerAsync(target, meter, cancellationToken).ConfigureAwait(false);
            var request = new LayerWriteRequest(snapshot, planned.Layer, planned.Compression, target.ToString())
            {
                Parallelism = parallelism,
                Meter = meter,
                Warn = message => progress.Warning(job.Id, message),
                Copy = push.Open,
                WritesFile = false,
            };

            // A base image's layers go from its own layout, unless the registry has them.
            var below = planned.Base?.Layers ?? [];
            var (result, pushed) = await UploadRetry.RunAsync(
                async () =>
                {
                    var written = await writer.WriteAsync(request, cancellationToken).ConfigureAwait(false);
                    var record = await pushes.FinishAsync(target, push, planned.Base?.Layout, below, written.Descriptor, planned.Image, cancellationToken).ConfigureAwait(false);
                    return (written, record);
                },
                target.ToString(),
                request.Warn,
                meter,
                cancellationToken).ConfigureAwait(false);
            return SnapshotReport.Exported(job.Id, job.Source.Describe(), result, clock.Elapsed.TotalSeconds) with { Push = pushed };
        }, cancellationToken);
    }
}
