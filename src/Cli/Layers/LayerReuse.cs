using System.Collections.Concurrent;
using ParallelDiff.Actors;
using ParallelDiff.Core.Export;
using ParallelDiff.Core.Oci;

namespace ParallelDiff.Cli.Layers;

/// <summary>
/// A layout's stored layers (<see cref="StoredLayers"/>) as a run uses them: a snapshot whose
/// layer the layout holds, unchanged since, is taken from there; one exported in this run is
/// exported once however many images want it (the lowers several export jobs share), and recorded
/// for the runs after. Safe to use from many threads.
/// </summary>
public sealed class LayerReuse(OciLayout layout, StoredBlobs blobs)
{
    private readonly StoredLayers _store = new(layout);
    private readonly ConcurrentDictionary<string, Lazy<Task<SnapshotReport>>> _thisRun = new(StringComparer.Ordinal);

    /// <summary>The stored layer for <paramref name="key"/>, reported as <paramref name="id"/> from <paramref name="source"/>; null when it must be exported.</summary>
    /// <param name="warn">Told why a record was found but not taken (its blob damaged or gone).</param>
    public SnapshotReport? Stored(string key, string id, string? source, Action<string> warn)
    {
        var stored = Find(key, id, source, warn);
        if (stored is not null)
        {
            CountHit();
        }

        return stored;
    }

    private SnapshotReport? Find(string key, string id, string? source, Action<string> warn)
    {
        ArgumentNullException.ThrowIfNull(warn);
        var stored = _store.Find(key, id, blobs, out var why);
        if (why is not null)
        {
            warn($"{why}; exporting it again");
        }

        return stored is null ? null : stored with { Source = source };
    }

    /// <summary>Records a layer just exported (its blob durable in the layout) for later runs.</summary>
    public void Record(string key, SnapshotReport exported) => _store.Record(key, exported);

    /// <summary>
    /// The layer for <paramref name="key"/>: stored, or exported by <paramref name="export"/> once in
    /// this run (a second caller waits for the first) and then recorded. A failed export is not kept:
    /// the next caller tries again.
    /// </summary>
    public async Task<SnapshotReport> OnceAsync(string key, string id, string? source, Action<string> warn, Func<Task<SnapshotReport>> export)
    {
        ArgumentNullException.ThrowIfNull(export);

        // Whether this call's export ran; every other call got the layer without exporting it (a hit).
        var exportedHere = false;
        var once = _thisRun.GetOrAdd(key, _ => new Lazy<Task<SnapshotReport>>(async () =>
        {
            if (Find(key, id, source, warn) is { } stored)
            {
                return stored;
            }

            exportedHere = true;
            var exported = await export().ConfigureAwait(false);
            Record(key, exported);
            return exported;
        }));
        try
        {
            var report = await once.Value.ConfigureAwait(false);
            if (!exportedHere)
            {
                CountHit();
            }

            return report with { Id = id, Source = source };
        }
        catch
        {
            _thisRun.TryRemove(new KeyValuePair<string, Lazy<Task<SnapshotReport>>>(key, once));
            throw;
        }
    }

    /// <summary>A layer taken from the layout or from this run's export of it instead of being exported: a cache hit ("stored-layer").</summary>
    private static void CountHit()
    {
        if (ParallelDiffTelemetry.IsEnabled)
        {
            ExportInstruments.CacheHits.Add(1, new KeyValuePair<string, object?>(ParallelDiffTelemetry.CacheTag, "stored-layer"));
        }
    }
}
