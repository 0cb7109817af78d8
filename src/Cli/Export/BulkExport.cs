using System.Diagnostics;
using ParallelDiff.Actors;
using ParallelDiff.Cli.Layers;
using ParallelDiff.Cli.Progress;
using ParallelDiff.Cli.Push;
using ParallelDiff.Core.Export;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Layers.LazyPull;
using ParallelDiff.Core.Oci;
using ParallelDiff.Registry;

namespace ParallelDiff.Cli.Export;

/// <summary>
/// Runs the snapshots of a job file into one OCI layout. Each finished snapshot is recorded before
/// the next word about it is said: its blob moved into the layout and its one-layer image's blobs
/// written, then (by the <see cref="SnapshotRecorder"/>, in groups) those blobs synced, the image
/// tagged with its id and a journal line fsynced; so a kill loses at most the snapshots in flight or
/// not yet recorded, and a rerun skips what the journal and the layout agree is complete
/// (<see cref="ResumeRules"/>, every blob re-hashed by <see cref="ResumeCheck"/>). A failed snapshot is reported with its cause and does not stop the
/// others. At the end index.json is put in ref-name order, so a resumed layout and a clean one are
/// the same bytes.
/// </summary>
/// <param name="groupInterval">The least time between two groups the recorder writes (export.group-interval-ms).</param>
/// <param name="pushes">Where jobs' images are pushed as well, or null.</param>
/// <param name="frames">The content cache the jobs' zstd:chunked and eStargz layers share; null keeps one per layer.</param>
/// <param name="cached">The --cache directory's layers, or null.</param>
public sealed partial class BulkExport(OciLayout layout, ExportJournal journal, ILayerWriter writer, IExportProgress progress, TimeSpan groupInterval, ExportPushes? pushes = null, FrameCache? frames = null, CachedLayers? cached = null)
{
    private readonly LowerLayerExports _lowers = new(layout, writer, new LayerReuse(layout, new StoredBlobs(layout)));

    /// <summary>Disposed once the --cache pass is over, if layers are left to write (the command's <see cref="CollectionPause"/>): the writing pass runs without it.</summary>
    public IDisposable? EndsWithCachePass { get; init; }

    /// <param name="jobs">The jobs, each with its layer settings and fingerprint, in file order.</param>
    /// <param name="budgetFor">The budget for a number of snapshots still to export.</param>
    /// <returns>Every job's outcome, in file order.</returns>
    /// <exception cref="OperationCanceledException">Interrupted; finished snapshots stay recorded.</exception>
    public async Task<IReadOnlyList<SnapshotReport>> RunAsync(IReadOnlyList<PlannedJob> jobs, Func<int, ExportBudget> budgetFor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(budgetFor);
        var clock = Stopwatch.StartNew();

        // A killed run leaves staging and temporary files; a clean run has none.
        LayoutStaging.RemoveLeftovers(layout);

        var (outcomes, redo) = ResumeCheck.Run(layout, journal, jobs, cancellationToken);
        if (outcomes.Count(o => o is not null) is > 0 and var resumed)
        {
            // The journal is the export's cache: each snapshot it already had is a layer not written again.
            ExportInstruments.CacheHits.Add(resumed, new KeyValuePair<string, object?>(ParallelDiffTelemetry.CacheTag, "resume"));
        }

        await EnsurePushedAsync(outcomes, cancellationToken).ConfigureAwait(false);
        var pending = Enumerable.Range(0, jobs.Count).Where(i => outcomes[i] is null).ToList();

        var budget = budgetFor(pending.Count);
        progress.Begin(jobs.Count, outcomes.OfType<SnapshotReport>().ToList(), budget);
        foreach (var (id, why) in redo)
        {
            progress.Warning(id, $"{why}; exporting it again");
        }

        using var unsynced = new PendingBlobs(layout);
        var recorder = new SnapshotRecorder(layout, journal, unsynced, groupInterval);
        var interrupted = false;
        try
        {
            void Record(int i, (JournalEntry Entry, OciImage? Image) done) => recorder.Record(done.Entry, done.Image, report =>
            {
                outcomes[i] = report;
                progress.Finished(report);
            });

            var toWrite = await TakeFromCacheAsync(jobs, pending, budget, unsynced, Record, cancellationToken).ConfigureAwait(false);
            if (toWrite.Count > 0)
            {
                // Only before layers are written, which would outgrow it: once it ends, the next
                // allocation collects all it held at once (11 ms after a warm pass of 1,000), which a
                // run with nothing left to write would pay just before it ends.
                EndsWithCachePass?.Dispose();
            }
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = budget.LayersInFlight, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(toWrite, parallel, async (i, ct) =>
                Record(i, await ExportOneAsync(jobs[i], budget.PerLayerParallelism, unsynced, null, ct).ConfigureAwait(false))).ConfigureAwait(false);

            await recorder.CompleteAsync().ConfigureAwait(false);
            // Each group leaves the index in order; this orders one that no group rewrote (every job resumed or failed).
            LayoutIndexOrder.SortByRefName(layout, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            interrupted = true;
            throw;
        }
        finally
        {
            // Interrupted or not, what finished is recorded before the end is reported.
            try
            {
                await recorder.CompleteAsync().ConfigureAwait(false);
            }
            finally
            {
                await progress.EndAsync(outcomes.OfType<SnapshotReport>().ToList(), clock.Elapsed.TotalSeconds, interrupted).ConfigureAwait(false);
            }
        }

        return outcomes.Select(o => o!).ToList();
    }

    /// <summary>
    /// The jobs a rerun skips are in the layout; their images are made sure of at the registry too
    /// (a kill may have come between the two, or the registry lost them). One that cannot be pushed
    /// fails, with the cause; the others go on.
    /// </summary>
    private async Task EnsurePushedAsync(SnapshotReport?[] outcomes, CancellationToken cancellationToken)
    {
        if (pushes is null)
        {
            return;
        }

        foreach (var pushed in outcomes.Select(o => o?.Push).OfType<PushRecord>())
        {
            pushes.Remember(pushed);
        }

        var resumed = Enumerable.Range(0, outcomes.Length).Where(i => outcomes[i] is { Manifest: not null } r && pushes.TargetOf(r.Id) is not null).ToList();
        await Parallel.ForEachAsync(resumed, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var report = outcomes[i]!;
            try
            {
                outcomes[i] = report with { Push = await pushes.EnsureAsync(pushes.TargetOf(report.Id)!, layout, report.Manifest!, ct).ConfigureAwait(false) };
            }
            catch (Exception e) when (e is RegistryException or IOException or InvalidDataException)
            {
                outcomes[i] = SnapshotReport.Failed(report.Id, report.Source, 0, e);
            }
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// The layers under a job's own, bottom first, all stored in this layout, and its image config
    /// with their history: a base image's layers (copied once, checked by digest), then with
    /// "lower-layers" its stack's lower snapshots (exported once per layout).
    /// </summary>
    /// <param name="stack">The job's snapshot; needed only with "lower-layers".</param>
    private async ValueTask<(IReadOnlyList<LayerDescriptor> Below, ImageConfig Image)> ImageBelowAsync(
        PlannedJob planned, Core.Snapshots.Snapshot? stack, int parallelism, CancellationToken cancellationToken)
    {
        var baseLayers = planned.StoreBaseLayers(layout);

        if (!planned.Job.LowerLayers)
        {
            return (baseLayers, planned.Image);
        }

        var lowers = await _lowers.ExportAsync(planned, stack!, parallelism, message => progress.Warning(planned.Job.Id, message), cancellationToken).ConfigureAwait(false);
        return ([.. baseLayers, .. lowers.Select(l => l.Layer!)], LowerLayerExports.WithHistory(planned.Image, lowers));
    }

    /// <returns>The snapshot's journal entry, and its image (blobs written, not yet tagged) unless it failed.</returns>
    /// <param name="unsynced">Where its blobs wait for the recorder's group sync.</param>
    /// <param name="taken">The job's layer, already taken from the --cache directory (<see cref="TakeFromCacheAsync"/>), or null.</param>
    private async Task<(JournalEntry Entry, OciImage? Image)> ExportOneAsync(PlannedJob planned, int parallelism, PendingBlobs unsynced, CacheHit? taken, CancellationToken cancellationToken)
    {
        var job = planned.Job;
        var meter = progress.WatchesBytes ? new LayerMeter() : null;
        progress.Started(job.Id, meter);
        foreach (var warning in taken?.Warnings ?? [])
        {
            progress.Warning(job.Id, warning);
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            // Standard input cannot serve many jobs; the job file refuses "mount-json": "-".
            var snapshot = taken?.Snapshot ?? planned.ResolveSnapshot();
            var target = pushes?.TargetOf(job.Id);
            using var push = target is null ? null : await pushes!.StartLayerAsync(target, meter, cancellationToken).ConfigureAwait(false);
            var (below, imageConfig) = await ImageBelowAsync(planned, snapshot, parallelism, cancellationToken).ConfigureAwait(false);

            var (result, seconds, pushed, fromCache) = taken is not null
                ? (taken.Layer, Stopwatch.GetElapsedTime(started).TotalSeconds, null, true)
                : await WriteLayerAsync(planned, snapshot, parallelism, meter, (push, target), below, imageConfig, unsynced, cancellationToken).ConfigureAwait(false);
            // Through the cache, config and manifest are linked from it like the layer when it holds them.
            var image = cached is null
                ? ImageWriter.WriteBlobs(layout, [.. below, result.Descriptor], job.Id, unsynced, imageConfig)
                : ImageWriter.WriteBlobs(layout, [.. below, result.Descriptor], job.Id, imageConfig, (mediaType, json) => cached.Cache.PlaceDocument(layout, mediaType, json, unsynced));
            var report = SnapshotReport.Exported(job.Id, planned.Source, result, seconds) with { Manifest = image.Manifest, Push = pushed, Cache = fromCache ? "hit" : null };
            return (new JournalEntry(planned.Fingerprint, report), image);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e)
        {
            // Whatever went wrong with this snapshot is its own failure; the others go on.
            return (new JournalEntry(planned.Fingerprint, SnapshotReport.Failed(job.Id, planned.Source, Stopwatch.GetElapsedTime(started).TotalSeconds, e)), null);
        }
    }

    /// <summary>
    /// Writes the job's layer (through the --cache directory when there is one, which may still hold
    /// it) and pushes it when the job has a target, retrying an upload the registry lost. A method
    /// of its own, so that a layer taken from the cache in the pass before allocates none of this.
    /// </summary>
    /// <returns>The layer, the seconds it took, its push, and whether the --cache directory held it.</returns>
    private async Task<(LayerExportResult Result, double Seconds, PushRecord? Pushed, bool FromCache)> WriteLayerAsync(
        PlannedJob planned, Core.Snapshots.Snapshot snapshot, int parallelism, LayerMeter? meter, (LayerPush? Push, ImageReference? Target) upload,
        IReadOnlyList<LayerDescriptor> below, ImageConfig imageConfig, PendingBlobs unsynced, CancellationToken cancellationToken)
    {
        var (push, target) = upload;
        var warn = (string message) => progress.Warning(planned.Job.Id, message);
        return await UploadRetry.RunAsync(
            async () =>
            {
                var request = new LayerWriteRequest(snapshot, planned.Layer, planned.Compression, string.Empty)
                {
                    Parallelism = parallelism,
                    Meter = meter,
                    Warn = warn,
                    Copy = push is null ? null : push.Open,
                    Frames = frames,
                };
                var hit = false;
                var (written, took) = cached is null
                    ? await LayoutLayers.ExportAsync(writer, layout, request, unsynced, cancellationToken).ConfigureAwait(false)
                    : await ExportCachedAsync(request, unsynced, h => hit = h, cancellationToken).ConfigureAwait(false);
                // A layer from the cache was never streamed to the registry: it goes up from the layout.
                var record = push is null ? null
                    : hit ? await pushes!.PushFromLayoutAsync(target!, layout, below, written.Descriptor, imageConfig, cancellationToken).ConfigureAwait(false)
                    : await pushes!.FinishAsync(target!, push, layout, below, written.Descriptor, imageConfig, cancellationToken).ConfigureAwait(false);
                return (written, took, record, hit);
            },
            target?.ToString() ?? string.Empty,
            warn,
            meter,
            cancellationToken).ConfigureAwait(false);
    }

    private async Task<(LayerExportResult Result, double Seconds)> ExportCachedAsync(LayerWriteRequest request, PendingBlobs unsynced, Action<bool> fromCache, CancellationToken cancellationToken)
    {
        var (result, seconds, hit) = await cached!.ExportAsync(writer, layout, request, unsynced, cancellationToken).ConfigureAwait(false);
        fromCache(hit);
        return (result, seconds);
    }
}
