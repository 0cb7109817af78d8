using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Actors.Walk;

/// <summary>
/// How one layer's diff is cut into shards, and the work of one shard. Pure with respect to the
/// actors: a plan is called from any worker thread, one shard at a time per call, and only reads
/// the snapshot (the differs and trees it wraps are safe for concurrent readers). Hosts and tests
/// may wrap a plan (to count, trace or slow shards down) by deriving from it.
/// </summary>
public abstract class WalkPlan
{
    protected WalkPlan(string snapshot, DifferKind differ)
    {
        Snapshot = snapshot;
        Differ = differ;
    }

    /// <summary>The snapshot's name, for messages.</summary>
    public string Snapshot { get; }

    /// <summary>The differ whose order the flattened shards reproduce.</summary>
    public DifferKind Differ { get; }

    /// <summary>
    /// Classifies one shard. With <paramref name="maxEntries"/> at most this many entries are
    /// classified here; the rest of a bigger directory becomes range shards in <see cref="ShardOutcome.Children"/>.
    /// </summary>
    /// <exception cref="WalkFailedException">Any failure, naming the snapshot and the path.</exception>
    /// <exception cref="OperationCanceledException">The walk was stopped.</exception>
    public abstract ShardOutcome Classify(ShardSpan span, int maxEntries, CancellationToken cancellationToken);

    /// <summary>
    /// BuildKit's overlay differ, sharded by upper directory: every directory the walk descends
    /// into as an upper directory (Descent.Upper) becomes a shard of its own.
    /// </summary>
    public static WalkPlan Overlay(string snapshot, DirectoryTree upper, OverlayDiffer differ) =>
        new OverlayWalkPlan(snapshot, upper, differ);

    /// <summary>The walking differ as one shard: it compares two merged views and has no upper to cut.</summary>
    public static WalkPlan WholeTree(string snapshot, TreeDiffer differ) => new WholeTreeWalkPlan(snapshot, differ);

    /// <summary>The plan for an opened snapshot: the overlay differ, or the walking one when asked or when there is no upper.</summary>
    public static WalkPlan For(SnapshotDiff diff, string snapshot, DifferKind differ, DiffOptions options)
    {
        ArgumentNullException.ThrowIfNull(diff);
        return differ == DifferKind.Walking || diff.Upper is null
            ? WholeTree(snapshot, diff.WalkingDiffer(options))
            : Overlay(snapshot, diff.Upper, diff.OverlayDiffer(options));
    }

    private protected WalkFailedException Failed(byte[] path, Exception cause) =>
        new(Snapshot, path.Length == 0 ? "/" : PathBytes.Display(path), cause);
}
