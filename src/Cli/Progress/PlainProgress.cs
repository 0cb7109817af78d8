using System.Globalization;
using ParallelDiff.Core.Export;
using ParallelDiff.Core.Layers;

namespace ParallelDiff.Cli.Progress;

/// <summary>For logs and pipes: one line per finished snapshot, warnings as they come, a summary at the end.</summary>
public sealed class PlainProgress(TextWriter output) : IExportProgress
{
    private readonly ExportTally _tally = new();

    public void Begin(int total, IReadOnlyList<SnapshotReport> resumed, ExportBudget budget)
    {
        ArgumentNullException.ThrowIfNull(resumed);
        ArgumentNullException.ThrowIfNull(budget);
        _tally.Begin(total, resumed.Count);
        output.WriteLine(Invariant($"export: {total} snapshots, {resumed.Count} already complete in the layout; {budget}"));
    }

    public bool WatchesBytes => false;

    public void Started(string id, LayerMeter? meter) => _tally.Started(id);

    public void Warning(string id, string message) => output.WriteLine($"{id}: warning: {message}");

    public void Finished(SnapshotReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var ended = _tally.Finished(report);
        output.WriteLine(report.Status == SnapshotStatus.Failed
            ? Invariant($"[{ended}/{_tally.Total}] {report.Id} failed: {report.Error}")
            : Invariant($"[{ended}/{_tally.Total}] {report.Id} {report.Layer!.Digest} {Size(report.BytesIn)} in, {Size(report.BytesOut)} out, {report.Seconds:0.00} s ({(report.Cache is null ? report.Differ : "from --cache")}){OnNode(report)}"));
    }

    public Task EndAsync(IReadOnlyList<SnapshotReport> reports, double seconds, bool interrupted)
    {
        output.WriteLine(Summary(_tally, interrupted));
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>"export: 198 done, 0 resumed, 2 failed in 12.3 s; 45.1 MB/s in, 12.0 MB/s out".</summary>
    public static string Summary(ExportTally tally, bool interrupted)
    {
        ArgumentNullException.ThrowIfNull(tally);
        var elapsed = tally.Elapsed;
        return Invariant($"export{(interrupted ? " interrupted" : string.Empty)}: {tally.Done} done, {tally.Resumed} resumed, {tally.Failed} failed of {tally.Total} in {elapsed.TotalSeconds:0.0} s; ")
            + Invariant($"{ExportTally.MegabytesPerSecond(tally.BytesIn, elapsed):0.0} MB/s in, {ExportTally.MegabytesPerSecond(tally.BytesOut, elapsed):0.0} MB/s out");
    }

    /// <summary>Bytes in the largest unit that keeps a number of at least 1 (decimal units).</summary>
    public static string Size(long bytes) => bytes switch
    {
        >= 1_000_000_000 => Invariant($"{bytes / 1e9:0.0} GB"),
        >= 1_000_000 => Invariant($"{bytes / 1e6:0.0} MB"),
        >= 1_000 => Invariant($"{bytes / 1e3:0.0} kB"),
        _ => Invariant($"{bytes} B"),
    };

    /// <summary>" on n1": the cluster node that exported it (nothing in a local export).</summary>
    private static string OnNode(SnapshotReport report) => report.Node is { } node ? $" on {node}" : string.Empty;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
