using ParallelDiff.Core.Export;
using ParallelDiff.Core.Oci;

namespace ParallelDiff.Cli.Export;

/// <summary>
/// Decides, before a bulk export starts, which jobs the journal and the layout show complete. Each
/// skipped job's blobs are checked by size and sha256 (on all cores: a layout of many big layers is
/// mostly hashing), and a blob found damaged is removed, so the snapshots redone write it afresh
/// and a layout resumed over a damaged blob ends byte-identical to a clean run's.
/// </summary>
public static class ResumeCheck
{
    /// <returns>
    /// Each job's earlier outcome (null: it runs), and for each job the journal knew but that runs
    /// again, its id and why, in job order.
    /// </returns>
    /// <exception cref="OperationCanceledException">Interrupted while checking.</exception>
    public static (SnapshotReport?[] Outcomes, IReadOnlyList<(string Id, string Why)> Redo) Run(
        OciLayout layout, ExportJournal journal, IReadOnlyList<PlannedJob> jobs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(jobs);
        var tagged = ResumeRules.TaggedManifests(layout);
        var blobs = new StoredBlobs(layout);
        var outcomes = new SnapshotReport?[jobs.Count];
        var reasons = new string?[jobs.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken };
        Parallel.For(0, jobs.Count, parallel, i =>
        {
            var entry = journal.Latest.GetValueOrDefault(jobs[i].Job.Id);
            outcomes[i] = ResumeRules.CompletedEarlier(entry, jobs[i].Fingerprint, blobs, tagged, out reasons[i]);
        });

        foreach (var digest in blobs.Damaged)
        {
            // Writing a blob replaces one whose bytes are wrong anyway; removing it first means a redo
            // that fails leaves the blob absent rather than present and wrong.
            File.Delete(layout.BlobPath(digest));
        }

        var redo = Enumerable.Range(0, jobs.Count)
            .Where(i => reasons[i] is not null)
            .Select(i => (jobs[i].Job.Id, reasons[i]!))
            .ToList();
        return (outcomes, redo);
    }
}
