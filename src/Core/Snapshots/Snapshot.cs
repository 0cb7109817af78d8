namespace ParallelDiff.Core.Snapshots;

/// <summary>
/// What is being exported: an overlay snapshot (an upperdir over lowers, top first; no lowers for
/// a bottom-most snapshot), or two plain trees (--from/--to).
/// </summary>
public sealed record Snapshot
{
    public string? Upper { get; init; }

    public IReadOnlyList<OverlayLayer> Lowers { get; init; } = [];

    public OverlayOptions Overlay { get; init; } = OverlayOptions.Default;

    public string? From { get; init; }

    public string? To { get; init; }

    /// <summary>
    /// The system calls its trees are read through (<see cref="Diff.SnapshotDiff.Open"/>), or null
    /// for the real ones: a --cache export passes a <see cref="Export.ConsultedLowersRecorder"/> to
    /// learn which lower paths the layer depends on.
    /// </summary>
    public Fs.IFileSystem? FileSystem { get; init; }

    /// <summary>A name for messages and reports (the upper, or the --to tree).</summary>
    public string Name => Upper ?? To ?? "(none)";

    public bool IsTreePair => To is not null;

    public static Snapshot OfOverlay(string upper, IEnumerable<string> lowersTopFirst, OverlayOptions? options = null) => new()
    {
        Upper = upper,
        Lowers = lowersTopFirst.Select(l => new OverlayLayer(l)).ToList(),
        Overlay = options ?? OverlayOptions.Default,
    };

    public static Snapshot OfTrees(string from, string to) => new() { From = from, To = to };
}
