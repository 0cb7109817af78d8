using System.Diagnostics.CodeAnalysis;

namespace ParallelDiff.Actors;

/// <summary>
/// What a host subscribes to for ParallelDiff's metrics and traces: one
/// <see cref="System.Diagnostics.Metrics.Meter"/> and one <see cref="System.Diagnostics.ActivitySource"/>,
/// both named <see cref="MeterName"/>. OpenTelemetry takes them as they are
/// (<c>AddMeter(ParallelDiffTelemetry.MeterName)</c>, <c>AddSource(ParallelDiffTelemetry.ActivitySourceName)</c>);
/// the library references no exporter. The instruments are listed in README.md ("Metrics").
/// </summary>
public static class ParallelDiffTelemetry
{
    /// <summary>The Meter every instrument belongs to.</summary>
    public const string MeterName = "ParallelDiff";

    /// <summary>The ActivitySource of the layer activities.</summary>
    public const string ActivitySourceName = "ParallelDiff";

    /// <summary>One activity per layer export, from its start to its blob written or its failure.</summary>
    public const string LayerActivityName = "paralleldiff.layer";

    /// <summary>The layer's snapshot: its upper directory, or its --to tree (activity tag).</summary>
    public const string SnapshotTag = "paralleldiff.snapshot";

    /// <summary>The differ: the one asked for when the layer starts, the one that ran once it is written (activity tag; on layers.done too).</summary>
    public const string DifferTag = "paralleldiff.differ";

    /// <summary>none, gzip, zstd or lz4 (activity tag).</summary>
    public const string CompressionTag = "paralleldiff.compression";

    /// <summary>The blob's digest, "sha256:…" (activity tag, once written).</summary>
    public const string DigestTag = "paralleldiff.layer.digest";

    /// <summary>The uncompressed tar's digest, the layer's diffID (activity tag, once written).</summary>
    public const string DiffIdTag = "paralleldiff.layer.diff_id";

    /// <summary>The blob's size in bytes (activity tag, once written).</summary>
    public const string SizeTag = "paralleldiff.layer.size";

    /// <summary>Which cache a hit came from (on paralleldiff.cache.hits): resume, stored-layer, registry.present, registry.mounted.</summary>
    public const string CacheTag = "paralleldiff.cache";

    /// <summary>OpenTelemetry's attribute for a failure's kind: the exception's type name (on layers.failed, the duration, the activity).</summary>
    public const string ErrorTypeTag = "error.type";

    /// <summary>
    /// The feature switch that leaves the instruments out. The CLI's native front publishes with it
    /// off (and trimmed): nothing in that process ever listens, and its start-up is what it is for
    /// (made there, the meter, its instruments and the activity source cost a one-file diff 443 page
    /// faults instead of 420).
    /// </summary>
    internal const string Switch = "ParallelDiff.Telemetry";

    /// <summary>On unless <see cref="Switch"/> is set false; a constant to the native compiler when it is.</summary>
    [FeatureSwitchDefinition(Switch)]
    internal static bool IsEnabled => !AppContext.TryGetSwitch(Switch, out var enabled) || enabled;
}
