using System.Diagnostics;
using ParallelDiff.Actors;
using ParallelDiff.Core.Export;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Oci;

namespace ParallelDiff.Cli.Layers;

/// <summary>
/// Layers written into a layout through a --cache directory: a snapshot whose key (the stat print
/// of its trees and the settings, <see cref="SnapshotCacheKeys"/>) the cache knows is not read at
/// all, its blob re-hashed and placed; any other is exported as without the cache and then kept for
/// the runs after. The key is taken before the export reads anything, so a snapshot that changes
/// while it is exported is recorded under its old print, which the next run no longer finds.
/// </summary>
public sealed class CachedLayers(LayerCache cache)
{
    private readonly SnapshotCacheKeys _keys = new(LinuxFileSystem.Instance);

    public LayerCache Cache => cache;

    /// <summary>As <see cref="LayoutLayers.ExportAsync(ILayerWriter, OciLayout, LayerWriteRequest, PendingBlobs?, CancellationToken)"/>, through the cache.</summary>
    /// <returns>The layer, the seconds it took, and whether it came from the cache (then no byte went to the request's Copy).</returns>
    public async Task<(LayerExportResult Result, double Seconds, bool FromCache)> ExportAsync(
        ILayerWriter writer, OciLayout layout, LayerWriteRequest request, PendingBlobs? pending, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(request);
        var clock = Stopwatch.StartNew();
        var key = _keys.KeyOf(request.Snapshot, $"{request.Compression} {request.Layer}", cancellationToken);
        if (cache.TryTake(key, layout, pending, request.Warn) is { } hit)
        {
            if (ParallelDiffTelemetry.IsEnabled)
            {
                ExportInstruments.CacheHits.Add(1, new KeyValuePair<string, object?>(ParallelDiffTelemetry.CacheTag, "cache-dir"));
            }

            return (hit, clock.Elapsed.TotalSeconds, true);
        }

        var (result, _) = await LayoutLayers.ExportAsync(writer, layout, request, pending, cancellationToken).ConfigureAwait(false);
        if (cache.Keep(key, result, layout.BlobPath(result.Descriptor.Digest)) is { } why)
        {
            request.Warn(why);
        }

        return (result, clock.Elapsed.TotalSeconds, false);
    }
}
