using ParallelDiff.Core.Diff;

namespace ParallelDiff.Core.Layers;

/// <summary>How changes become tar entries.</summary>
public sealed record ChangeWriterOptions
{
    /// <summary>
    /// SOURCE_DATE_EPOCH: every mtime later than this is clamped to it (containerd
    /// WithModTimeUpperBound); whiteouts stay at 0 (moby/buildkit#4057).
    /// </summary>
    public long? ModTimeUpperBound { get; init; }

    public XattrPolicy Xattrs { get; init; } = XattrPolicy.Capability;

    public static ChangeWriterOptions Default { get; } = new();
}
