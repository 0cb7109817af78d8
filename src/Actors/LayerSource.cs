using ParallelDiff.Actors.Walk;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Actors;

/// <summary>
/// What the actor path needs of an opened snapshot: its name, the tree the tar writer stats
/// injected parent directories from, and a fresh walk plan for either differ. A seam for tests,
/// which build one over a file system that fails or stalls on purpose.
/// </summary>
internal sealed record LayerSource(string Snapshot, ISnapshotTree Parents, bool HasUpper, Func<DifferKind, WalkPlan> PlanFor)
{
    public static LayerSource Of(SnapshotDiff diff, Snapshot snapshot, DiffOptions options) =>
        new(snapshot.Name, diff.New, diff.Upper is not null, differ => WalkPlan.For(diff, snapshot.Name, differ, options));
}
