using System.Diagnostics;
using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Actors;

/// <summary>
/// One layer export as the telemetry sees it: counted as started, then as done or failed exactly
/// once, with its duration, and its activity from start to end. The library's entry points
/// (<see cref="ExportEngine"/>, <see cref="LayerExporter"/>) each wrap a whole export, the
/// snapshot's opening included, in one <see cref="RecordAsync"/>; the sequential and the actor
/// path below them count nothing, so a layer is counted once whichever path writes it.
/// </summary>
internal sealed class LayerRecording : IDisposable
{
    private readonly Activity? _activity;
    private readonly long _started = Stopwatch.GetTimestamp();

    private LayerRecording(Activity? activity) => _activity = activity;

    /// <summary>Runs <paramref name="export"/> as one recorded layer (as it is, where telemetry is switched off).</summary>
    public static Task<LayerExportResult> RecordAsync(Snapshot snapshot, ExportOptions options, Func<Task<LayerExportResult>> export) =>
        ParallelDiffTelemetry.IsEnabled ? RecordEnabledAsync(snapshot, options, export) : export();

    /// <summary>
    /// A layer whose host could not even name its snapshot (a bulk export's job whose upper is
    /// missing): counted as started and failed, as an export whose snapshot cannot be opened is, so
    /// a host's failures and the counters agree.
    /// </summary>
    /// <param name="snapshot">What the host was given as the snapshot (its upper, or how it was described).</param>
    public static void Unresolved(string snapshot, DifferKind differ, LayerCompression compression, Exception failure)
    {
        if (ParallelDiffTelemetry.IsEnabled)
        {
            using var layer = Start(snapshot, differ, compression);
            layer.Failed(failure);
        }
    }

    public void Dispose() => _activity?.Dispose();

    /// <summary>Async, so the activity it makes current is current only inside the export, never left behind in the caller's context.</summary>
    private static async Task<LayerExportResult> RecordEnabledAsync(Snapshot snapshot, ExportOptions options, Func<Task<LayerExportResult>> export)
    {
        using var layer = Start(snapshot.Name, options.Layer.Differ, options.Compression.Kind);
        try
        {
            var result = await export().ConfigureAwait(false);
            layer.Done(result);
            return result;
        }
        catch (Exception e)
        {
            layer.Failed(e);
            throw;
        }
    }

    private static LayerRecording Start(string snapshot, DifferKind differ, LayerCompression compression)
    {
        ExportInstruments.LayersStarted.Add(1);
        var activity = ExportInstruments.Source.StartActivity(ParallelDiffTelemetry.LayerActivityName, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(ParallelDiffTelemetry.SnapshotTag, snapshot);
            activity.SetTag(ParallelDiffTelemetry.DifferTag, Name(differ));
            activity.SetTag(ParallelDiffTelemetry.CompressionTag, Name(compression));
        }

        return new LayerRecording(activity);
    }

    private void Done(LayerExportResult result)
    {
        var descriptor = result.Descriptor;
        var differ = new KeyValuePair<string, object?>(ParallelDiffTelemetry.DifferTag, Name(result.Tar.Differ));
        ExportInstruments.DataRead.Add(result.Tar.DataBytes);
        ExportInstruments.BlobWritten.Add(descriptor.Size);
        ExportInstruments.CompressionRatio.Record(descriptor.Size > 0 ? (double)result.TarBytes / descriptor.Size : 1);
        ExportInstruments.Duration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds);
        ExportInstruments.LayersDone.Add(1, differ);
        if (_activity is { IsAllDataRequested: true })
        {
            _activity.SetTag(differ.Key, differ.Value);
            _activity.SetTag(ParallelDiffTelemetry.DigestTag, descriptor.Digest);
            _activity.SetTag(ParallelDiffTelemetry.DiffIdTag, descriptor.DiffId);
            _activity.SetTag(ParallelDiffTelemetry.SizeTag, descriptor.Size);
        }
    }

    private void Failed(Exception e)
    {
        // OpenTelemetry's error.type: the exception's type, low in cardinality where the message is not.
        var error = new KeyValuePair<string, object?>(ParallelDiffTelemetry.ErrorTypeTag, e.GetType().FullName);
        ExportInstruments.Duration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, error);
        ExportInstruments.LayersFailed.Add(1, error);
        if (_activity is not null)
        {
            _activity.SetTag(error.Key, error.Value);
            _activity.SetStatus(ActivityStatusCode.Error, e.Message);
            _activity.AddException(e);
        }
    }

    private static string Name(DifferKind differ) => differ switch
    {
        DifferKind.Overlay => "overlay",
        DifferKind.Walking => "walking",
        _ => "auto",
    };

    private static string Name(LayerCompression compression) => compression switch
    {
        LayerCompression.Gzip => "gzip",
        LayerCompression.Zstd => "zstd",
        LayerCompression.Lz4 => "lz4",
        _ => "none",
    };
}
