using ParallelDiff.Core.Export;

namespace ParallelDiff.Cli.Progress;

/// <summary>
/// What a bulk export tells the person or program watching it, on stderr. Calls come from many
/// threads at once; an implementation serialises its own output.
/// </summary>
public interface IExportProgress : IAsyncDisposable
{
    /// <summary>The run starts: how many snapshots, how many are already complete, how the machine is shared.</summary>
    void Begin(int total, IReadOnlyList<SnapshotReport> resumed, ExportBudget budget);

    void Started(string id);

    /// <summary>A warning about one snapshot (e.g. the walking differ took over).</summary>
    void Warning(string id, string message);

    /// <summary>A snapshot ended, done or failed; called after its journal line is durable.</summary>
    void Finished(SnapshotReport report);

    /// <summary>The run ended (or was interrupted): every snapshot's outcome so far.</summary>
    Task EndAsync(IReadOnlyList<SnapshotReport> reports, double seconds, bool interrupted);
}
