namespace ParallelDiff.Core.Export;

/// <summary>How one snapshot of an export ended.</summary>
public enum SnapshotStatus
{
    /// <summary>Exported in this run: its blob and image are in the layout.</summary>
    Done,

    /// <summary>Complete from an earlier run (journal and layout agree); not exported again.</summary>
    Resumed,

    /// <summary>Not exported; <see cref="SnapshotReport.Error"/> says why. Nothing of it is in the layout.</summary>
    Failed,
}
