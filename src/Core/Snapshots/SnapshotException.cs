namespace ParallelDiff.Core.Snapshots;

/// <summary>A snapshot that cannot be diffed as given: a bad directory, an unsupported layout, an overlay inconsistency.</summary>
public sealed class SnapshotException : Exception
{
    public SnapshotException()
    {
    }

    public SnapshotException(string message) : base(message)
    {
    }

    public SnapshotException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
