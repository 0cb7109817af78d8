namespace ParallelDiff.Core.Tests.Vectors;

/// <summary>
/// A vector recreated on disk: DEST/lower0 … DEST/lowerN-1 (topmost first, as overlayfs lowerdir=)
/// and DEST/upper.
/// </summary>
public sealed record MaterializedVector(VectorSnapshot Snapshot, IReadOnlyList<string> Lowers, string Upper)
{
    /// <summary>Upper then the lowers: the lowerdir= order of the read-only merged view.</summary>
    public IReadOnlyList<string> LayersTopFirst => [Upper, .. Lowers];
}
