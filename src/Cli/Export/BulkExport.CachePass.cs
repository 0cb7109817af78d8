using ParallelDiff.Cli.Layers;
using ParallelDiff.Core.Export;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Oci;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Cli.Export;

/// <summary>The pass over the --cache directory that comes before any layer is written.</summary>
public sealed partial class BulkExport
{
    /// <summary>
    /// Finishes every job whose layer the --cache directory holds, on every core, and gives back the
    /// others (in file order) for the pass that writes layers. The memory budget keeps that pass to
    /// one or two layers at once (with the default budget, one zstd layer on two cores), but a layer
    /// taken from the cache holds next to no memory: asked in that pass, a warm export of 1,000
    /// snapshots ran on one core. Jobs with "lower-layers" (their lower layers come first) and
    /// exports that push (a layer from the cache is still uploaded, which the budget counts) go
    /// straight to the writing pass, as does a job whose look-up fails: it is reported there.
    /// </summary>
    /// <param name="record">Records a finished job by its index.</param>
    /// <returns>The indices of the jobs still to export.</returns>
    private async Task<IReadOnlyList<int>> TakeFromCacheAsync(
        IReadOnlyList<PlannedJob> jobs, IReadOnlyList<int> pending, ExportBudget budget, PendingBlobs unsynced, Action<int, (JournalEntry, OciImage?)> record, CancellationToken cancellationToken)
    {
        if (cached is null || pushes is not null)
        {
            return pending;
        }

        var taken = new bool[jobs.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = budget.LayersInFlight * budget.PerLayerParallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(pending.Where(i => !jobs[i].Job.LowerLayers), parallel, async (i, ct) =>
        {
            if (TryTake(jobs[i], unsynced, ct) is { } hit)
            {
                taken[i] = true;
                record(i, await ExportOneAsync(jobs[i], budget.PerLayerParallelism, unsynced, hit, ct).ConfigureAwait(false));
            }
        }).ConfigureAwait(false);
        return pending.Where(i => !taken[i]).ToList();
    }

    /// <summary>The job's layer from the cache, placed in the layout; null when the cache lacks it or the look-up fails (the writing pass meets and reports the failure).</summary>
    private CacheHit? TryTake(PlannedJob planned, PendingBlobs unsynced, CancellationToken cancellationToken)
    {
        var warnings = new List<string>();
        try
        {
            var snapshot = planned.Resolved();
            var request = new LayerWriteRequest(snapshot, planned.Layer, planned.Compression, string.Empty) { Warn = warnings.Add };
            return cached!.TryTake(layout, request, unsynced, cancellationToken) is { } layer ? new CacheHit(snapshot, layer, warnings) : null;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Said once, by the writing pass, which does the same look-up again.
            return null;
        }
    }

    /// <summary>A job's layer taken from the cache, with the snapshot it was taken for and what the look-up warned of (a damaged entry passed over).</summary>
    private sealed record CacheHit(Snapshot Snapshot, LayerExportResult Layer, IReadOnlyList<string> Warnings);
}
