using System.Diagnostics;
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
    public static async Task<JournalEntry> ExportAsync(PlannedJob planned, ILayerWriter writer, IExportProgress progress, OciLayout layout, int parallelism, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(planned);
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(layout);
        var job = planned.Job;
        var meter = progress.WatchesBytes ? new LayerMeter() : null;
        progress.Started(job.Id, meter);
        var clock = Stopwatch.StartNew();
        try
        {
            var snapshot = planned.ResolveSnapshot();
            var request = new LayerWriteRequest(snapshot, planned.Layer, planned.Compression, string.Empty)
            {
                Parallelism = parallelism,
                Meter = meter,
                Warn = message => progress.Warning(job.Id, message),
            };

            var below = planned.Base?.Layers ?? [];
            foreach (var baseLayer in below.Where(l => !layout.HasBlob(l.Digest)))
            {
                layout.AddBlobFile(planned.Base!.Layout.BlobPath(baseLayer.Digest), baseLayer.Digest);
            }

            var (result, _) = await LayoutLayers.ExportAsync(writer, layout, request, cancellationToken).ConfigureAwait(false);
            var image = ImageWriter.WriteBlobs(layout, [.. below, result.Descriptor], job.Id, planned.Image);
            var report = SnapshotReport.Exported(job.Id, job.Source.Describe(), result, clock.Elapsed.TotalSeconds) with { Manifest = image.Manifest };
            return new JournalEntry(planned.Fingerprint, report);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            // Whatever went wrong with this snapshot is its own failure; the others go on.
            return new JournalEntry(planned.Fingerprint, SnapshotReport.Failed(job.Id, job.Source.Describe(), clock.Elapsed.TotalSeconds, e));
        }
    }
}
