using ParallelDiff.Cli.Progress;
using ParallelDiff.Core.Export;

namespace ParallelDiff.Cli.Cluster;

/// <summary>
/// The coordinator's outcomes: in a shared layout, each image tagged in index.json (its blobs are
/// in place and synced by the node); then journaled (fsynced) before they are shown, as a local
/// export does; per-node counts for the end.
/// </summary>
/// <param name="layout">The shared layout of an export into one; null for a registry export.</param>
internal sealed class CoordinatorSink(IReadOnlyList<ClusterJob> jobs, ExportJournal journal, IExportProgress progress, TextWriter log, SnapshotReport?[] outcomes, Core.Oci.OciLayout? layout = null) : ICoordinatorSink
{
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<string, int> _perNode = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _index = jobs.Select((job, i) => (job.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);

    public Task Finished => _finished.Task;

    public void Joined(string node, string address, int slots) => log.WriteLine($"cluster: node {node} ({address}) asks for work, {slots} at once");

    public void Left(string node) => log.WriteLine($"cluster: node {node} left the cluster");

    public void Started(string jobId, string node) => progress.StartedOn(jobId, node);

    public void Warning(string jobId, string message) => progress.Warning(jobId, message);

    void ICoordinatorSink.Finished(ClusterJob job, SnapshotReport report)
    {
        if (layout is not null && report is { Status: SnapshotStatus.Done, Manifest: { } manifest })
        {
            try
            {
                layout.Tag(manifest, job.Id);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                report = SnapshotReport.Failed(job.Id, report.Source, report.Seconds, e) with { Node = report.Node };
            }
        }

        // Durable before it is reported: a kill after "done" never loses the job.
        journal.Append(new JournalEntry(job.Planned.Fingerprint, report));
        outcomes[_index[job.Id]] = report;
        if (report.Node is { } node && report.Status != SnapshotStatus.Failed)
        {
            _perNode[node] = _perNode.GetValueOrDefault(node) + 1;
        }

        progress.Finished(report);
    }

    public void Done() => _finished.TrySetResult();

    /// <summary>"cluster: exported by a 21, b 20, c 19".</summary>
    public void WriteNodeSummary()
    {
        if (_perNode.Count > 0)
        {
            log.WriteLine($"cluster: exported by {string.Join(", ", _perNode.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"))}");
        }
    }
}
