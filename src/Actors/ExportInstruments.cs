using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using ParallelDiff.Streams;

namespace ParallelDiff.Actors;

/// <summary>
/// The instruments of the <see cref="ParallelDiffTelemetry.MeterName"/> meter and its activity
/// source, made once per process. Nothing is exported from here: with no listener an Add or a
/// Record is one check and StartActivity returns null. Names and units follow OpenTelemetry's
/// conventions, so a Prometheus exporter (OpenTelemetry's or the CLI's --metrics) names them
/// paralleldiff_layers_done_total, paralleldiff_layer_duration_seconds, … (README.md, "Metrics").
/// </summary>
internal static class ExportInstruments
{
    /// <summary>The read-ahead gauges of the layers on the actor path now, each with its bound in bytes.</summary>
    private static readonly ConcurrentDictionary<ReadAheadGauge, long> ReadAheads = new();

    private static readonly string? Version = typeof(ExportInstruments).Assembly.GetName().Version?.ToString();

    public static readonly Meter Meter = new(ParallelDiffTelemetry.MeterName, Version);

    public static readonly ActivitySource Source = new(ParallelDiffTelemetry.ActivitySourceName, Version);

    public static readonly Counter<long> LayersStarted = Meter.CreateCounter<long>(
        "paralleldiff.layers.started", "{layer}", "Layer exports begun (a layer a push retries begins again).");

    public static readonly Counter<long> LayersDone = Meter.CreateCounter<long>(
        "paralleldiff.layers.done", "{layer}", "Layer blobs written, complete; tagged with the differ that ran.");

    public static readonly Counter<long> LayersFailed = Meter.CreateCounter<long>(
        "paralleldiff.layers.failed", "{layer}", "Layer exports that ended without a blob (a cancelled one too); tagged with error.type.");

    public static readonly Counter<long> DataRead = Meter.CreateCounter<long>(
        "paralleldiff.data.read", "By", "File data read into the tars of the layers written.");

    public static readonly Counter<long> BlobWritten = Meter.CreateCounter<long>(
        "paralleldiff.blob.written", "By", "Blob bytes of the layers written: the sum of their descriptors' sizes.");

    public static readonly Histogram<double> Duration = Meter.CreateHistogram(
        "paralleldiff.layer.duration", "s", "Time from a layer's start to its blob written or its failure (failures tagged with error.type).", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800] });

    public static readonly Histogram<double> CompressionRatio = Meter.CreateHistogram(
        "paralleldiff.layer.compression_ratio", "1", "Per layer written: its tar's bytes over its blob's bytes (1 for an uncompressed layer).", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 1.25, 1.5, 2, 3, 4, 6, 8, 16, 32] });

    public static readonly Counter<long> CacheHits = Meter.CreateCounter<long>(
        "paralleldiff.cache.hits", "{hit}", "Work not done because its result was already there; tagged with the cache (resume, stored-layer, registry.present, registry.mounted).");

    public static readonly ObservableUpDownCounter<long> ReadAheadUsage = Meter.CreateObservableUpDownCounter(
        "paralleldiff.read_ahead.usage", () => ReadAheads.Keys.Sum(g => g.Current), "By",
        "File data read ahead of the tar writers and not yet taken, over the layers on the actor path now.");

    public static readonly ObservableUpDownCounter<long> ReadAheadLimit = Meter.CreateObservableUpDownCounter(
        "paralleldiff.read_ahead.limit", () => ReadAheads.Values.Sum(), "By",
        "What read_ahead.usage may reach: the read-ahead bound (pipeline.read-ahead-bytes in whole blocks, at least two) of each layer on the actor path now.");

    /// <summary>Counts <paramref name="gauge"/> in the read-ahead instruments until the result is disposed.</summary>
    /// <param name="limit">The most the gauge can hold, in bytes.</param>
    public static IDisposable TrackReadAhead(ReadAheadGauge gauge, long limit)
    {
        ReadAheads[gauge] = limit;
        return new ReadAheadTracking(gauge);
    }

    private sealed class ReadAheadTracking(ReadAheadGauge gauge) : IDisposable
    {
        public void Dispose() => ReadAheads.TryRemove(gauge, out _);
    }
}
