namespace ParallelDiff.Actors.Walk;

/// <summary>
/// A shard of a layer's walk failed: the layer cannot be written. The message names the snapshot,
/// the path being classified and the cause (EACCES, a vanished file, an overlay inconsistency).
/// </summary>
public sealed class WalkFailedException : Exception
{
    public WalkFailedException()
    {
        Snapshot = "";
        PathText = "";
    }

    public WalkFailedException(string message) : base(message)
    {
        Snapshot = "";
        PathText = "";
    }

    public WalkFailedException(string message, Exception innerException) : base(message, innerException)
    {
        Snapshot = "";
        PathText = "";
    }

    public WalkFailedException(string snapshot, string path, Exception cause)
        : base($"snapshot {snapshot}: cannot classify {path}: {cause?.Message}", cause)
    {
        Snapshot = snapshot;
        PathText = path;
    }

    /// <summary>The snapshot being exported (its upper, or its --to tree).</summary>
    public string Snapshot { get; }

    /// <summary>The path, relative to the snapshot root, whose classification failed ("/" for the root).</summary>
    public string PathText { get; }
}
