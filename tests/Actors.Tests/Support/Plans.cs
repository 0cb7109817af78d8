using ParallelDiff.Actors.Walk;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Actors.Tests.Support;

/// <summary>
/// Walk plans over a snapshot whose every system call goes through a test's file system, built
/// by SnapshotDiff.Open itself; and the sequential walk the shards must replay.
/// </summary>
public static class Plans
{
    public static WalkPlan Overlay(Snapshot snapshot, IFileSystem? fs = null, DiffOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var diff = SnapshotDiff.Open(snapshot, fs);
        var differ = diff.OverlayDiffer(options ?? DiffOptions.Default);
        return WalkPlan.Overlay(snapshot.Name, diff.Upper!, differ);
    }

    /// <summary>
    /// What the exporter's actor path reads: the overlay plan over <paramref name="overlayFs"/> (to
    /// make it fail or stall), the walking plan and the parents over the real file system.
    /// </summary>
    internal static LayerSource Source(Snapshot snapshot, IFileSystem? overlayFs, DiffOptions? options = null)
    {
        var diff = SnapshotDiff.Open(snapshot);
        return new LayerSource(snapshot.Name, diff.New, HasUpper: true, differ => differ == DifferKind.Walking
            ? WalkPlan.For(diff, snapshot.Name, DifferKind.Walking, options ?? DiffOptions.Default)
            : Overlay(snapshot, overlayFs, options));
    }

    /// <summary>The sequential overlay walk (Core's OverlayDiffer.Run): the order every sharding must give.</summary>
    public static List<Change> SequentialOverlay(Snapshot snapshot, DiffOptions? options = null)
    {
        var changes = new ChangeList();
        SnapshotDiff.Open(snapshot).OverlayDiffer(options ?? DiffOptions.Default).Run(changes, CancellationToken.None);
        return changes;
    }
}
