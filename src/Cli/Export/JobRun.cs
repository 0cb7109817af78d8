using System.Diagnostics;
using ParallelDiff.Cli.Progress;
using ParallelDiff.Core.Export;
using ParallelDiff.Core.Layers;

namespace ParallelDiff.Cli.Export;

/// <summary>
/// What every one-job export (<see cref="PushedJob"/>, <see cref="LayoutJob"/>) does around its own
/// work: a meter when the view watches bytes, the start said, the time taken, and a failure kept as
/// the job's own journal entry, never thrown (only cancellation is).
/// </summary>
internal static class JobRun
{
    /// <param name="export">The job's work, given the meter (or null) and the clock; returns its done report.</param>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static async Task<JournalEntry> RunAsync(PlannedJob planned, IExportProgress progress, Func<LayerMeter?, Stopwatch, Task<SnapshotReport>> export, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(planned);
        ArgumentNullException.ThrowIfNull(progress);
        ArgumentNullException.ThrowIfNull(export);
        var job = planned.Job;
        var meter = progress.WatchesBytes ? new LayerMeter() : null;
        progress.Started(job.Id, meter);
        var clock = Stopwatch.StartNew();
        try
        {
            return new JournalEntry(planned.Fingerprint, await export(meter, clock).ConfigureAwait(false));
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
