using ParallelDiff.Core.Export;
using ParallelDiff.Core.Layers;

namespace ParallelDiff.Cli.Progress;

/// <summary>--quiet: nothing but the failures, one line each.</summary>
public sealed class QuietProgress(TextWriter output) : IExportProgress
{
    public void Begin(int total, IReadOnlyList<SnapshotReport> resumed, ExportBudget budget)
    {
    }

    public bool WatchesBytes => false;

    public void Started(string id, LayerMeter? meter)
    {
    }

    public void Warning(string id, string message)
    {
    }

    public void Finished(SnapshotReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.Status == SnapshotStatus.Failed)
        {
            output.WriteLine($"paralleldiff export: {report.Id} failed: {report.Error}");
        }
    }

    public Task EndAsync(IReadOnlyList<SnapshotReport> reports, double seconds, bool interrupted) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
