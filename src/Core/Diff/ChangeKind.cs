namespace ParallelDiff.Core.Diff;

/// <summary>continuity's ChangeKind: what happened to a path between the base and the new tree.</summary>
public enum ChangeKind : byte
{
    /// <summary>Same in both trees, but a hard-linked name the tar writer may need (continuity fs/diff.go).</summary>
    Unmodified,
    Add,
    Modify,
    Delete,
}
