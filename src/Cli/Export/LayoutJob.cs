using ParallelDiff.Cli.Layers;
using ParallelDiff.Cli.Progress;
using ParallelDiff.Core.Export;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Oci;

namespace ParallelDiff.Cli.Export;

/// <summary>
/// One job of a cluster export into a shared layout, as a node runs it: the layer and the image's
/// config and manifest written into the layout's blobs (content-addressed, each renamed into place
/// and fsynced, so two nodes writing one blob are harmless) with the same code a local export
/// uses, so the digests are the same. Tags and the journal are the coordinator's alone.
/// </summary>
public static class LayoutJob
{
    /// <returns>The job's journal line: done with its manifest, or failed with its cause.</returns>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static Task<JournalEntry> ExportAsync(PlannedJob planned, ILayerWriter writer, IExportProgress progress, OciLayout layout, int parallelism, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(planned);
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(layout);
        return JobRun.RunAsync(planned, progress, async (meter, clock) =>
        {
            var job = planned.Job;
            var snapshot = planned.ResolveSnapshot();
            var request = new LayerWriteRequest(snapshot, planned.Layer, planned.Compression, string.Empty)
            {
                Parallelism = parallelism,
                Meter = meter,
                Warn = message => progress.Warning(job.Id, message),
            };

            var below = planned.StoreBaseLayers(layout);
            var (result, _) = await LayoutLayers.ExportAsync(writer, layout, request, cancellationToken).ConfigureAwait(false);
            var image = ImageWriter.WriteBlobs(layout, [.. below, result.Descriptor], job.Id, planned.Image);
            return SnapshotReport.Exported(job.Id, job.Source.Describe(), result, clock.Elapsed.TotalSeconds) with { Manifest = image.Manifest };
        }, cancellationToken);
    }
}
