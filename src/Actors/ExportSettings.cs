using Akka.Configuration;
using ParallelDiff.Actors.Walk;
using ParallelDiff.Streams;

namespace ParallelDiff.Actors;

/// <summary>The settings one export runs with, resolved from its options, its HOCON and the reference defaults.</summary>
/// <param name="ActorThresholdEntries">Uppers with fewer entries (and less data than <paramref name="ActorThresholdBytes"/>) are exported sequentially; 0: never.</param>
/// <param name="ShardBuffer">Classified shards buffered between the walk and the layer stream.</param>
/// <param name="ActorThresholdBytes">Regular-file bytes from which an upper takes the actor path whatever its entry count.</param>
public sealed record ExportSettings(WalkSettings Walk, PipelineSettings Pipeline, int ActorThresholdEntries, int ShardBuffer, long ActorThresholdBytes)
{
    private const string PipelineKeys = "paralleldiff.pipeline.";

    /// <summary>Explicit options first, then <see cref="ExportOptions.Config"/>, then the reference.conf of Actors and Streams.</summary>
    public static ExportSettings Resolve(ExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var config = (options.Config ?? Config.Empty).WithFallback(ActorsConfig.Reference).WithFallback(StreamsConfig.Reference);
        var parallelism = options.Parallelism ?? config.GetInt(PipelineKeys + "parallelism");
        ArgumentOutOfRangeException.ThrowIfNegative(parallelism, nameof(options.Parallelism));
        var pipeline = PipelineSettings.FromConfig(config) with { Parallelism = parallelism };
        var walk = new WalkSettings(
            pipeline.EffectiveParallelism,
            options.ShardMaxEntries ?? config.GetInt(PipelineKeys + "shard-max-entries"),
            options.MaxShardsInFlight ?? config.GetInt(PipelineKeys + "max-shards-in-flight"),
            WalkSettings.DefaultDispatcher).Validated();
        var threshold = ActorThreshold(options);
        var buffer = config.GetInt("paralleldiff.actors.shard-buffer");
        ArgumentOutOfRangeException.ThrowIfLessThan(buffer, 1, "paralleldiff.actors.shard-buffer");
        return new ExportSettings(walk, pipeline, threshold, buffer, ActorThresholdBytesOf(options));
    }

    /// <summary>
    /// <see cref="ActorThresholdEntries"/> alone, from the same sources: the one setting a small upper
    /// needs. <see cref="Resolve"/> reads the pipeline's byte sizes too, and Akka's first byte-size read
    /// compiles regular expressions (some 15 ms): work the sequential path would throw away.
    /// </summary>
    public static int ActorThreshold(ExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string key = PipelineKeys + "actor-threshold-entries";
        var threshold = options.ActorThresholdEntries ?? ConfigFor(options, key).GetInt(key);
        ArgumentOutOfRangeException.ThrowIfNegative(threshold, nameof(options.ActorThresholdEntries));
        return threshold;
    }

    /// <summary>
    /// <see cref="ActorThresholdBytes"/> from the same sources, read with the CLI's byte-size reader
    /// rather than Akka's (whose first use compiles regular expressions: see <see cref="HoconByteSize"/>).
    /// </summary>
    public static long ActorThresholdBytesOf(ExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string key = PipelineKeys + "actor-threshold-bytes";
        var bytes = options.ActorThresholdBytes
            ?? HoconByteSize.Parse(ConfigFor(options, key).GetString(key, null))
            ?? throw new ConfigurationException($"{key} is not set");
        ArgumentOutOfRangeException.ThrowIfNegative(bytes, nameof(options.ActorThresholdBytes));
        return bytes;
    }

    /// <summary>
    /// The options' config when it sets <paramref name="key"/>, else Actors' reference.conf: one key
    /// read without building the whole fallback chain (<see cref="Resolve"/> merges two reference
    /// files, work a small upper's sequential path would throw away).
    /// </summary>
    private static Config ConfigFor(ExportOptions options, string key) =>
        options.Config is { } config && config.HasPath(key) ? config : ActorsConfig.Reference;
}
