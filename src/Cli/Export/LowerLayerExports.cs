using ParallelDiff.Cli.Layers;
using ParallelDiff.Core.Export;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Oci;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Cli.Export;

/// <summary>
/// The lower snapshots of a job's stack as layers of its image ("lower-layers": true), bottom
/// first: each is exported once per layout, however many jobs stand on it and however often the
/// export runs (<see cref="LayerReuse"/>), and always durable before a record names it.
/// </summary>
public sealed class LowerLayerExports(OciLayout layout, ILayerWriter writer, LayerReuse reuse)
{
    /// <summary>The layers of the snapshots under <paramref name="stack"/>'s upper, bottom first.</summary>
    /// <param name="warn">Told of a stored layer that could not be taken, or a fallback while exporting one.</param>
    public async Task<IReadOnlyList<SnapshotReport>> ExportAsync(PlannedJob planned, Snapshot stack, int parallelism, Action<string> warn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(planned);
        var layers = ImageLayers.Of(stack);

        // A layer's key depends only on the layers under it: the job's own upper need not be walked.
        var lowers = layers.Take(layers.Count - 1).ToList();
        var keys = StoredLayerKeys.Of(LinuxFileSystem.Instance, lowers, $"{planned.Compression} {planned.Layer}", cancellationToken);
        var reports = new List<SnapshotReport>(lowers.Count);
        for (var i = 0; i < lowers.Count; i++)
        {
            var layer = lowers[i];
            var id = $"{planned.Job.Id} lower-{i + 1}";

            // One at a time, in the job's own slot of the budget: the lowers are part of its work.
            reports.Add(await reuse.OnceAsync(keys[i], id, layer.Upper, warn, async () =>
            {
                var request = new LayerWriteRequest(layer, planned.Layer, planned.Compression, string.Empty) { Parallelism = parallelism, Warn = warn };
                var (result, seconds) = await LayoutLayers.ExportAsync(writer, layout, request, cancellationToken).ConfigureAwait(false);
                return SnapshotReport.Exported(id, layer.Upper, result, seconds);
            }).ConfigureAwait(false));
        }

        return reports;
    }

    /// <summary><paramref name="image"/> with a history entry for each lower layer, just before the job's own entry (the last).</summary>
    public static ImageConfig WithHistory(ImageConfig image, IReadOnlyList<SnapshotReport> lowers)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(lowers);
        if (lowers.Count == 0 || image.History is not { Count: > 0 } history)
        {
            return image;
        }

        var top = history[^1];
        var entries = lowers.Select(l => new ImageHistoryEntry { Created = top.Created, CreatedBy = $"paralleldiff export lower {l.Source}" });
        return image with { History = [.. history.Take(history.Count - 1), .. entries, top] };
    }
}
