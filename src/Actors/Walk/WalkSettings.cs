namespace ParallelDiff.Actors.Walk;

/// <summary>How one layer's walk is spread over workers (paralleldiff.pipeline.* in HOCON).</summary>
/// <param name="Workers">Shard workers, each classifying one shard at a time.</param>
/// <param name="ShardMaxEntries">Entries one shard classifies, about: small subdirectories ride inline while it lasts; a directory with more entries is cut into ranges of this many.</param>
/// <param name="MaxShardsInFlight">Shards assigned or waiting for the layer stream, at most.</param>
/// <param name="Dispatcher">The HOCON path of the dispatcher the workers' blocking calls run on.</param>
public sealed record WalkSettings(int Workers, int ShardMaxEntries, int MaxShardsInFlight, string Dispatcher = WalkSettings.DefaultDispatcher)
{
    public const string DefaultDispatcher = "paralleldiff.actors.walk-dispatcher";

    /// <summary>Throws when a value cannot run a walk (no worker, empty shards, nothing in flight).</summary>
    public WalkSettings Validated()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Workers, 1, nameof(Workers));
        ArgumentOutOfRangeException.ThrowIfLessThan(ShardMaxEntries, 1, nameof(ShardMaxEntries));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxShardsInFlight, 1, nameof(MaxShardsInFlight));
        ArgumentException.ThrowIfNullOrEmpty(Dispatcher, nameof(Dispatcher));
        return this;
    }
}
