using ParallelDiff.Core.Export;
using ParallelDiff.Core.Layers;

namespace ParallelDiff.Cli.Progress;

/// <summary>
/// What a bulk export tells the person or program watching it, on stderr. Calls come from many
/// threads at once; an implementation serialises its own output.
/// </summary>
public interface IExportProgress : IAsyncDisposable
{
    /// <summary>The run starts: how many snapshots, how many are already complete, how the machine is shared.</summary>
    void Begin(int total, IReadOnlyList<SnapshotReport> resumed, ExportBudget budget);

    /// <summary>
    /// Whether the view shows bytes while layers run: only then does the export count them
    /// (<see cref="Started"/> gets a meter), so a view that does not costs nothing on the hot path.
    /// </summary>
    bool WatchesBytes { get; }

    /// <param name="meter">The layer's byte counts, when <see cref="WatchesBytes"/>; the view samples it at its own pace.</param>
    void Started(string id, LayerMeter? meter);

    /// <summary>A snapshot handed to a cluster node (export --cluster): started there, its bytes not watched from here.</summary>
    void StartedOn(string id, string node) => Started(id, meter: null);

    /// <summary>A warning about one snapshot (e.g. the walking differ took over).</summary>
    void Warning(string id, string message);

    /// <summary>A snapshot ended, done or failed; called after its journal line is durable.</summary>
    void Finished(SnapshotReport report);

    /// <summary>The run ended (or was interrupted): every snapshot's outcome so far.</summary>
    Task EndAsync(IReadOnlyList<SnapshotReport> reports, double seconds, bool interrupted);
}
