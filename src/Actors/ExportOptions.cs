using Akka.Configuration;
using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Layers;

namespace ParallelDiff.Actors;

/// <summary>
/// One layer export: what decides its bytes (<see cref="Layer"/>, <see cref="Compression"/>), where
/// it goes, and how it uses the machine. Settings left null come from <see cref="Config"/>
/// (paralleldiff.pipeline.*), then from the libraries' reference.conf; none changes the bytes.
/// </summary>
public sealed record ExportOptions
{
    /// <summary>The blob's path: written to a temporary file beside it, fsynced and renamed, so it is complete or absent.</summary>
    public required string OutputPath { get; init; }

    /// <summary>
    /// False when the caller makes the blob durable itself, as a bulk export syncs the blobs of a group
    /// of snapshots at once: the sequential exporter then skips its fsyncs. The actor path (large
    /// layers, where two fsyncs cost little) fsyncs either way.
    /// </summary>
    public bool DurableOutput { get; init; } = true;

    /// <summary>
    /// Opens where the blob goes instead of a file at <see cref="OutputPath"/>, which then only names
    /// it: a registry upload, or a file and an upload (<see cref="BlobTargets"/>).
    /// </summary>
    public Func<IBlobTarget>? OpenBlob { get; init; }

    public LayerOptions Layer { get; init; } = LayerOptions.Default;

    /// <summary>gzip at its default level, as BuildKit writes layers, unless set.</summary>
    public CompressionSettings Compression { get; init; } = CompressionSettings.For(LayerCompression.Gzip);

    /// <summary>Shard workers, and blocks compressed at once; 0 means one per core; null takes paralleldiff.pipeline.parallelism.</summary>
    public int? Parallelism { get; init; }

    /// <summary>Entries per shard before a directory is cut into ranges (paralleldiff.pipeline.shard-max-entries).</summary>
    public int? ShardMaxEntries { get; init; }

    /// <summary>Shards classified and not yet taken by the layer stream, at most (paralleldiff.pipeline.max-shards-in-flight).</summary>
    public int? MaxShardsInFlight { get; init; }

    /// <summary>
    /// Uppers with fewer entries go through the sequential exporter without starting any actor;
    /// 0 always takes the actor path (paralleldiff.pipeline.actor-threshold-entries).
    /// </summary>
    public int? ActorThresholdEntries { get; init; }

    /// <summary>
    /// ... and less regular-file data than this many bytes: a few big files take the parallel
    /// pipeline (paralleldiff.pipeline.actor-threshold-bytes).
    /// </summary>
    public long? ActorThresholdBytes { get; init; }

    /// <summary>HOCON to read the settings above from (and, for an engine it creates, the actor system's config).</summary>
    public Config? Config { get; init; }

    /// <summary>Counts the layer's bytes while it is written, for a progress view to sample; optional, and it never changes the bytes.</summary>
    public LayerMeter? Meter { get; init; }

    /// <summary>
    /// The content cache of zstd:chunked and eStargz layers, shared by the layers of an export (and
    /// across runs when it has a disk tier); null keeps one per layer. It never changes the bytes.
    /// </summary>
    public Core.Layers.LazyPull.FrameCache? Frames { get; init; }

    /// <summary>
    /// Whether the blob's destination holds a blob of this digest and size already, so that a
    /// zstd:chunked or eStargz layer made wholly of cached frames need not be written again
    /// (SequentialLayerExporter's holdsBlob; <see cref="LayerExportResult.BlobHeld"/> says it was not).
    /// Null writes every blob. Not used with <see cref="OpenBlob"/>.
    /// </summary>
    public Func<Core.Layers.LazyPull.KnownBlob, bool>? HoldsBlob { get; init; }

    /// <summary>Warnings (e.g. the overlay differ giving way to the walking differ), besides <see cref="LayerProgress.Message"/>.</summary>
    public Action<string>? Warn { get; init; }
}
