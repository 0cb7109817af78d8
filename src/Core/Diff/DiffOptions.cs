namespace ParallelDiff.Core.Diff;

/// <summary>How the differs decide what changed and what an entry carries.</summary>
public sealed record DiffOptions
{
    /// <summary>
    /// Compare content whenever metadata is equal. Off by default: BuildKit's nanosecond rule
    /// (equal non-zero nanoseconds mean unchanged) is needed for byte-identical layers, but it
    /// misses rewrites that keep size and mtime (vectors 09, 10, 12).
    /// </summary>
    public bool Exact { get; init; }

    /// <summary>
    /// Write a "dir/.wh..wh..opq" marker and the whole directory for an opaque directory, as docker
    /// and containers/storage do, instead of BuildKit's explicit whiteouts for each hidden name.
    /// </summary>
    public bool OpaqueMarkers { get; init; }

    public XattrPolicy Xattrs { get; init; } = XattrPolicy.Capability;

    public static DiffOptions Default { get; } = new();
}
