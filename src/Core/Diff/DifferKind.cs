namespace ParallelDiff.Core.Diff;

/// <summary>Which differ computes a layer (CLI --differ).</summary>
public enum DifferKind : byte
{
    /// <summary>The overlay differ; the walking differ only after a warning naming the reason.</summary>
    Auto,

    /// <summary>The overlay differ; any overlay problem is an error (BUILDKIT_DEBUG_FORCE_OVERLAY_DIFF=1).</summary>
    Overlay,

    /// <summary>The double walk of the merged lower view against the merged upper view.</summary>
    Walking,
}
