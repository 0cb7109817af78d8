using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Actors;

/// <summary>
/// The library's entry point for one layer, from a plain console app. A small upper is written on
/// the calling thread with nothing started and nothing read but the actor threshold (the pipeline
/// settings are resolved only for the actor path); any other starts an <see cref="ExportEngine"/>
/// for this one export. Batch jobs should keep one <see cref="ExportEngine"/> for all their layers instead.
/// </summary>
public static class LayerExporter
{
    /// <inheritdoc cref="ExportEngine.ExportAsync(Snapshot, ExportOptions, IProgress{LayerProgress}?, CancellationToken)"/>
    public static async Task<LayerExportResult> ExportAsync(Snapshot snapshot, ExportOptions options, IProgress<LayerProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        return await LayerRecording.RecordAsync(snapshot, options, async () =>
        {
            var diff = SnapshotDiff.Open(snapshot);
            if (ExportEngine.SequentialOnly(options) || ExportEngine.IsSmall(diff, ExportSettings.ActorThreshold(options), ExportSettings.ActorThresholdBytesOf(options)))
            {
                return ExportEngine.ExportSequentially(snapshot, options, progress, cancellationToken);
            }

            var settings = ExportSettings.Resolve(options);
            var engine = new ExportEngine(options.Config);
            await using (engine.ConfigureAwait(false))
            {
                return await engine.ExportAsync(LayerSource.Of(diff, snapshot, options.Layer.Diff), options, settings, progress, cancellationToken).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// For hosts that write many layers (batch jobs, the CLI's commands): small uppers are written with
    /// nothing started, on the calling thread unless it is a pool thread (which it would hold for the
    /// whole write), else on a dedicated one; the shared engine is started the first time a layer needs it.
    /// </summary>
    public static Task<LayerExportResult> ExportAsync(Snapshot snapshot, ExportOptions options, Lazy<ExportEngine> engine, IProgress<LayerProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(engine);
        cancellationToken.ThrowIfCancellationRequested();
        return LayerRecording.RecordAsync(snapshot, options, () =>
        {
            var diff = SnapshotDiff.Open(snapshot);
            return IsSmall(diff, options) ? ExportSmall(snapshot, options, progress, cancellationToken) : OnEngine(diff);
        });

        Task<LayerExportResult> OnEngine(SnapshotDiff diff)
        {
            var settings = ExportSettings.Resolve(options);
            return engine.Value.ExportAsync(LayerSource.Of(diff, snapshot, options.Layer.Diff), options, settings, progress, cancellationToken);
        }
    }

    /// <summary>
    /// The small-upper half of <see cref="ExportAsync(Snapshot, ExportOptions, Lazy{ExportEngine}, IProgress{LayerProgress}?, CancellationToken)"/>:
    /// the export of a small upper, nothing started, or null when the upper needs the engine. For hosts
    /// that must not start Akka themselves (the CLI's native front, which hands the rest on). The
    /// telemetry counts the layer only when this writes it: a snapshot that cannot be opened throws
    /// here, before any export began.
    /// </summary>
    public static Task<LayerExportResult>? TryExportSmall(Snapshot snapshot, ExportOptions options, IProgress<LayerProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(options);
        cancellationToken.ThrowIfCancellationRequested();
        var diff = SnapshotDiff.Open(snapshot);
        return IsSmall(diff, options)
            ? LayerRecording.RecordAsync(snapshot, options, () => ExportSmall(snapshot, options, progress, cancellationToken))
            : null;
    }

    /// <summary>
    /// Whether <see cref="TryExportSmall(Snapshot, ExportOptions, IProgress{LayerProgress}?, CancellationToken)"/>
    /// would write this snapshot itself (a host that hands bigger ones elsewhere can decide before it says anything).
    /// </summary>
    public static bool IsSmall(Snapshot snapshot, ExportOptions options)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(options);
        return IsSmall(SnapshotDiff.Open(snapshot), options);
    }

    private static bool IsSmall(SnapshotDiff diff, ExportOptions options) =>
        ExportEngine.SequentialOnly(options) || ExportEngine.IsSmall(diff, ExportSettings.ActorThreshold(options), ExportSettings.ActorThresholdBytesOf(options));

    /// <summary>The export of a small upper: on the calling thread unless it is a pool thread, else on a dedicated one.</summary>
    private static Task<LayerExportResult> ExportSmall(Snapshot snapshot, ExportOptions options, IProgress<LayerProgress>? progress, CancellationToken cancellationToken)
    {
        if (!Thread.CurrentThread.IsThreadPoolThread)
        {
            // A thread of the host's own (a console app's main thread) may block: no thread to
            // start, which a one-file diff would notice.
            return ExportInline(snapshot, options, progress, cancellationToken);
        }

        return Task.Factory.StartNew(
            () => ExportEngine.ExportSequentially(snapshot, options, progress, cancellationToken),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    /// <summary>The sequential export as a finished task: its result, or its exception to rethrow where it is awaited.</summary>
    private static Task<LayerExportResult> ExportInline(Snapshot snapshot, ExportOptions options, IProgress<LayerProgress>? progress, CancellationToken cancellationToken)
    {
        try
        {
            return Task.FromResult(ExportEngine.ExportSequentially(snapshot, options, progress, cancellationToken));
        }
        catch (OperationCanceledException e) when (e.CancellationToken == cancellationToken)
        {
            return Task.FromCanceled<LayerExportResult>(cancellationToken);
        }
        catch (Exception e)
        {
            // Every failure belongs to the task, as it would on the dedicated thread.
            return Task.FromException<LayerExportResult>(e);
        }
    }
}
