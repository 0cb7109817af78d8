using System.Diagnostics;
using ParallelDiff.Actors;
using ParallelDiff.Cli.Layers;
using ParallelDiff.Cli.Progress;
using ParallelDiff.Cli.Push;
using ParallelDiff.Core.Export;
using ParallelDiff.Core.Layers;
using ParallelDiff.Registry;

namespace ParallelDiff.Cli.Export;

/// <summary>
/// A bulk export with no layout (export --push without --oci-layout): each job's layer goes to its
/// registry while it is compressed, with no file anywhere, then its image and tag; the journal
/// alone records what was pushed, a line fsynced once the tag is in place. A rerun skips a job
/// whose line says done with the same job and settings and whose tag still names the manifest it
/// pushed (a registry takes a manifest only when it holds every blob it names); the rest go again,
/// and blobs the registry already holds are found by HEAD, not sent twice. A failed job is reported
/// with its cause and does not stop the others.
/// </summary>
public sealed class RegistryExport(ExportJournal journal, ILayerWriter writer, IExportProgress progress, ExportPushes pushes)
{
    /// <param name="jobs">The jobs, each with a push target and no "lower-layers" (checked by the caller).</param>
    /// <param name="budgetFor">The budget for a number of snapshots still to export.</param>
    /// <returns>Every job's outcome, in file order.</returns>
    /// <exception cref="OperationCanceledException">Interrupted; finished jobs stay recorded.</exception>
    public async Task<IReadOnlyList<SnapshotReport>> RunAsync(IReadOnlyList<PlannedJob> jobs, Func<int, ExportBudget> budgetFor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(budgetFor);
        var clock = Stopwatch.StartNew();
        var (outcomes, redo) = await CheckJournalAsync(jobs, cancellationToken).ConfigureAwait(false);

        if (outcomes.Count(o => o is not null) is > 0 and var resumed)
        {
            // The journal and the registry's tags are this export's cache, as the journal and the layout are BulkExport's.
            ExportInstruments.CacheHits.Add(resumed, new KeyValuePair<string, object?>(ParallelDiffTelemetry.CacheTag, "resume"));
        }

        var pending = Enumerable.Range(0, jobs.Count).Where(i => outcomes[i] is null).ToList();
        var budget = budgetFor(pending.Count);
        progress.Begin(jobs.Count, outcomes.OfType<SnapshotReport>().ToList(), budget);
        foreach (var i in pending.Where(i => redo[i] is not null))
        {
            progress.Warning(jobs[i].Job.Id, $"{redo[i]}; exporting it again");
        }

        var interrupted = false;
        try
        {
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = budget.LayersInFlight, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(pending, parallel, async (i, ct) =>
            {
                var entry = await PushedJob.ExportAsync(jobs[i], writer, progress, pushes, budget.PerLayerParallelism, ct).ConfigureAwait(false);

                // Durable before it is reported: a kill after "done" never loses the job.
                journal.Append(entry);
                outcomes[i] = entry.Report;
                progress.Finished(entry.Report);
            }).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            interrupted = true;
            throw;
        }
        finally
        {
            await progress.EndAsync(outcomes.OfType<SnapshotReport>().ToList(), clock.Elapsed.TotalSeconds, interrupted).ConfigureAwait(false);
        }

        return outcomes.Select(o => o!).ToList();
    }

    /// <summary>
    /// What the journal says of each job: its earlier outcome to keep (resumed: done with the same
    /// job and settings, and its tag still names the manifest it pushed), or null and why it runs
    /// again (null when the journal does not know it).
    /// </summary>
    public async Task<(SnapshotReport?[] Outcomes, string?[] Redo)> CheckJournalAsync(IReadOnlyList<PlannedJob> jobs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        foreach (var pushed in journal.Latest.Values.Select(e => e.Report.Push).OfType<PushRecord>())
        {
            pushes.Remember(pushed);
        }

        var outcomes = new SnapshotReport?[jobs.Count];
        var redo = new string?[jobs.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, jobs.Count), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            (outcomes[i], redo[i]) = await CompletedEarlierAsync(jobs[i], ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
        return (outcomes, redo);
    }

    /// <returns>The earlier outcome to keep (resumed), or null and why the job runs again (null when the journal does not know it).</returns>
    private async Task<(SnapshotReport? Outcome, string? Why)> CompletedEarlierAsync(PlannedJob planned, CancellationToken cancellationToken)
    {
        if (journal.Latest.GetValueOrDefault(planned.Job.Id) is not { } entry)
        {
            return (null, null);
        }

        var target = pushes.TargetOf(planned.Job.Id)!;
        var report = entry.Report;
        if (report.Status == SnapshotStatus.Failed)
        {
            return (null, "it failed before");
        }

        if (entry.Fingerprint != planned.Fingerprint)
        {
            return (null, "its job or settings changed");
        }

        if (report.Push is not { } pushed || pushed.Reference != target.ToString())
        {
            return (null, $"its journal entry records no push to {target}");
        }

        try
        {
            var tagged = await pushes.TaggedAsync(target, cancellationToken).ConfigureAwait(false);
            return tagged == pushed.ManifestDigest
                ? (report with { Status = SnapshotStatus.Resumed }, null)
                : (null, tagged is null ? $"{target} is not at the registry" : $"{target} names {tagged}, not {pushed.ManifestDigest}");
        }
        catch (RegistryException e)
        {
            return (null, $"{target} cannot be checked ({e.Message})");
        }
    }
}
