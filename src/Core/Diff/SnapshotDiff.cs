using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Core.Diff;

/// <summary>
/// Opens the trees of a snapshot and runs the chosen differ. The result is the ordered change
/// list plus the tree that parent directories are stat'ed from.
/// </summary>
public sealed class SnapshotDiff
{
    private SnapshotDiff(ISnapshotTree baseTree, ISnapshotTree newTree, DirectoryTree? upper, OverlayOptions overlay, int lowerCount)
    {
        Base = baseTree;
        New = newTree;
        Upper = upper;
        Overlay = overlay;
        LowerCount = lowerCount;
    }

    /// <summary>The tree the layer applies onto (the merged lowers, or --from).</summary>
    public ISnapshotTree Base { get; }

    /// <summary>The tree the layer produces (the upper over the lowers, or --to).</summary>
    public ISnapshotTree New { get; }

    /// <summary>The raw upperdir, for the overlay differ; null for a tree pair.</summary>
    public DirectoryTree? Upper { get; }

    public OverlayOptions Overlay { get; }

    public int LowerCount { get; }

    /// <summary>Checks every directory and opens the trees; errors name the directory and the cause.</summary>
    /// <param name="fs">The system calls to use (a test may wrap them to inject failures); by default the snapshot's <see cref="Snapshot.FileSystem"/>, else the real ones.</param>
    public static SnapshotDiff Open(Snapshot snapshot, IFileSystem? fs = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        fs ??= snapshot.FileSystem;
        if (snapshot.IsTreePair)
        {
            var from = new DirectoryTree(snapshot.From ?? throw new SnapshotException("--to needs --from"), "--from", fs);
            var to = new DirectoryTree(snapshot.To!, "--to", fs);
            return new SnapshotDiff(from, to, null, OverlayOptions.Default, 1);
        }

        var upper = new DirectoryTree(snapshot.Upper ?? throw new SnapshotException("no --upper given"), "--upper", fs);
        ISnapshotTree baseTree = snapshot.Lowers.Count == 0
            ? EmptyTree.Instance
            : new OverlayStackTree(snapshot.Lowers, snapshot.Overlay, "lower", fs);
        var merged = new OverlayStackTree([new OverlayLayer(snapshot.Upper), .. snapshot.Lowers], snapshot.Overlay, "merged", fs);
        return new SnapshotDiff(baseTree, merged, upper, snapshot.Overlay, snapshot.Lowers.Count(l => !l.DataOnly));
    }

    public OverlayDiffer OverlayDiffer(DiffOptions options) =>
        new(Upper ?? throw new SnapshotException("the overlay differ needs an upperdir"), Base, New, Overlay, options, LowerCount == 1);

    public TreeDiffer WalkingDiffer(DiffOptions options) =>
        new(Base, New, new DirentComparer(options.Exact, sameInodeMeansSame: false, copyUpBreaksLinks: Upper is not null, options.Xattrs), options.Xattrs);

    /// <summary>
    /// Runs the differ into <paramref name="sink"/>. With <see cref="DifferKind.Auto"/> an overlay
    /// inconsistency is reported through <paramref name="warn"/> and the walking differ runs
    /// instead; the sink must then be reset by <paramref name="restart"/>.
    /// </summary>
    public DifferKind Run(DifferKind kind, DiffOptions options, IChangeSink sink, Action<string> warn, Action restart, CancellationToken cancellationToken)
    {
        if (kind == DifferKind.Walking || Upper is null)
        {
            WalkingDiffer(options).Run(sink, cancellationToken);
            return DifferKind.Walking;
        }

        try
        {
            OverlayDiffer(options).Run(sink, cancellationToken);
            return DifferKind.Overlay;
        }
        catch (SnapshotException e) when (kind == DifferKind.Auto)
        {
            warn($"warning: overlay differ failed ({e.Message}); falling back to the walking differ");
            restart();
            WalkingDiffer(options).Run(sink, cancellationToken);
            return DifferKind.Walking;
        }
    }
}
