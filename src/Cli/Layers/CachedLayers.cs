using System.Diagnostics;
using ParallelDiff.Actors;
using ParallelDiff.Core.Export;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Oci;

namespace ParallelDiff.Cli.Layers;

/// <summary>
/// Layers written into a layout through a --cache directory. A snapshot's key
/// (<see cref="SnapshotCacheKeys"/>: the settings, its upper's whole stat print, its lowers' roots)
/// finds a record; when the lower paths that record lists still print as they did
/// (<see cref="ConsultedLowers"/>), the snapshot is not read at all, its blob re-hashed and placed.
/// Any other is exported as without the cache, its trees read through a
/// <see cref="ConsultedLowersRecorder"/>, and kept for the runs after with the lower paths it
/// consulted. The key is taken before the export reads anything, so an upper that changes while it
/// is exported is recorded under its old print, which the next run no longer finds; a lower path
/// that changes while it is read is seen by the recorder, and that layer is not kept.
/// </summary>
public sealed class CachedLayers(LayerCache cache)
{
    private readonly SnapshotCacheKeys _keys = new(LinuxFileSystem.Instance, new PrintedTrees(cache.Root));

    // One command's run: its jobs' lowers are looked at once each (LowerPrints says why that holds).
    private readonly LowerPrints _lowerPrints = new(LinuxFileSystem.Instance);

    public LayerCache Cache => cache;

    /// <summary>
    /// The layer the cache holds for the request's snapshot, placed in <paramref name="layout"/> (see
    /// <see cref="LayerCache.TryTake"/>); null when it holds none that can be taken. Reads the
    /// snapshot's stat data, never its files.
    /// </summary>
    /// <exception cref="Core.Fs.FsException">The upper cannot be walked.</exception>
    public LayerExportResult? TryTake(OciLayout layout, LayerWriteRequest request, PendingBlobs? pending, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(request);
        return Take(KeyOf(request, cancellationToken), layout, request, pending);
    }

    /// <summary>As <see cref="LayoutLayers.ExportAsync(ILayerWriter, OciLayout, LayerWriteRequest, PendingBlobs?, CancellationToken)"/>, through the cache.</summary>
    /// <returns>The layer, the seconds it took, and whether it came from the cache (then no byte went to the request's Copy).</returns>
    public async Task<(LayerExportResult Result, double Seconds, bool FromCache)> ExportAsync(
        ILayerWriter writer, OciLayout layout, LayerWriteRequest request, PendingBlobs? pending, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(request);
        var clock = Stopwatch.StartNew();
        var key = KeyOf(request, cancellationToken);
        if (Take(key, layout, request, pending) is { } hit)
        {
            return (hit, clock.Elapsed.TotalSeconds, true);
        }

        var recorder = key.ConsultsLowers
            ? new ConsultedLowersRecorder(request.Snapshot.FileSystem ?? LinuxFileSystem.Instance, key.Lowers, [key.Upper!])
            : null;
        var recorded = recorder is null ? request : request with { Snapshot = request.Snapshot with { FileSystem = recorder } };
        var (result, _) = await LayoutLayers.ExportAsync(writer, layout, recorded, pending, cancellationToken).ConfigureAwait(false);
        ConsultedLowers? consulted = null;
        if (recorder is not null && (consulted = recorder.Finish(out var changed)) is null)
        {
            request.Warn($"--cache {cache.Root}: layer not kept: {changed}");
        }
        else if (cache.Keep(key, consulted, result, layout.BlobPath(result.Descriptor.Digest)) is { } why)
        {
            request.Warn(why);
        }

        return (result, clock.Elapsed.TotalSeconds, false);
    }

    private SnapshotCacheKey KeyOf(LayerWriteRequest request, CancellationToken cancellationToken) =>
        _keys.KeyOf(request.Snapshot, SettingsText.Of(request.Compression, request.Layer), cancellationToken);

    private LayerExportResult? Take(SnapshotCacheKey key, OciLayout layout, LayerWriteRequest request, PendingBlobs? pending)
    {
        var hit = cache.TryTake(key, layout, pending, request.Warn, _lowerPrints);
        if (hit is not null && ParallelDiffTelemetry.IsEnabled)
        {
            ExportInstruments.CacheHits.Add(1, new KeyValuePair<string, object?>(ParallelDiffTelemetry.CacheTag, "cache-dir"));
        }

        return hit;
    }
}
