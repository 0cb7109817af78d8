using Akka.Actor;
using Akka.Configuration;
using Akka.Streams;
using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Snapshots;
using ParallelDiff.Streams;

namespace ParallelDiff.Actors;

/// <summary>
/// One actor system and one materializer for many layer exports, as a batch job needs: starting
/// an actor system per layer would cost more than most layers. Exports may run concurrently; each
/// gets its own walk supervisor and stream. Dispose it once, after the last export.
/// </summary>
public sealed partial class ExportEngine : IAsyncDisposable
{
    /// <summary>
    /// For a system the engine creates: no log at all, and never on stdout. A failed layer is
    /// reported by the exception its export throws (naming the snapshot and the path), a fallback by
    /// the warning; Akka's "Error in stage" line with its stack trace would only repeat that, on
    /// the stream a script reads for the descriptor. A caller's Config turns logging on
    /// (akka.loglevel), to standard error (<see cref="StandardErrorLogger"/>) or its own loggers.
    /// </summary>
    private static readonly Config QuietDefaults = ConfigurationFactory.ParseString("""
        akka.loglevel = OFF
        akka.stdout-loglevel = OFF
        akka.loggers = ["ParallelDiff.Actors.StandardErrorLogger, ParallelDiff.Actors"]
        akka.stdout-logger-class = "ParallelDiff.Actors.StandardErrorStartupLogger, ParallelDiff.Actors"
        akka.log-dead-letters = off
        akka.log-dead-letters-during-shutdown = off
        """);

    private readonly bool _ownsSystem;

    /// <summary>
    /// Where an export whose options carry no <see cref="ExportOptions.Config"/> reads its settings:
    /// the config the engine's system was started from, so that a host's overrides of
    /// paralleldiff.* (HOCON, IConfiguration through ParallelDiff.Hosting) reach its exports.
    /// </summary>
    private readonly Config? _settings;
    private int _walks;
    private int _disposed;

    /// <summary>Starts an actor system named "paralleldiff" from <paramref name="config"/> over the libraries' reference.conf.</summary>
    public ExportEngine(Config? config = null)
    {
        var full = (config ?? Config.Empty).WithFallback(QuietDefaults).WithFallback(ActorsConfig.Reference).WithFallback(StreamsConfig.Reference);
        System = ActorSystem.Create("paralleldiff", full);
        _ownsSystem = true;
        _settings = config;
        Materializer = System.Materializer();
    }

    /// <summary>
    /// Runs exports in a host's actor system, which stays the host's: disposing the engine leaves
    /// it running. Exports read their settings from the system's config unless their options carry
    /// one. The system must have <see cref="ActorsConfig.Reference"/> in its config (the
    /// walk dispatcher); the streams' dispatchers are registered on first use.
    /// </summary>
    /// <exception cref="ConfigurationException">The system lacks the walk dispatcher.</exception>
    public ExportEngine(ActorSystem system)
    {
        ArgumentNullException.ThrowIfNull(system);
        ActorsConfig.RequireDispatchers(system);
        System = system;
        _settings = system.Settings.Config;
        Materializer = system.Materializer();
    }

    public ActorSystem System { get; }

    public ActorMaterializer Materializer { get; }

    /// <summary>
    /// Writes the layer of <paramref name="snapshot"/> to <see cref="ExportOptions.OutputPath"/>.
    /// An upper with fewer than the actor threshold's entries is written on the calling thread by
    /// Core's sequential exporter; any other by the sharded walk and the layer stream, which give
    /// the same bytes at any parallelism.
    /// </summary>
    /// <exception cref="SnapshotException">The snapshot cannot be opened as given.</exception>
    /// <exception cref="Walk.WalkFailedException">A shard failed; the message names the snapshot and the path. Nothing is left at the output path.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the walk and the stream are stopped and nothing is left at the output path.</exception>
    /// <remarks>Counted in the <see cref="ParallelDiffTelemetry"/> instruments as one layer, with one activity.</remarks>
    public async Task<LayerExportResult> ExportAsync(Snapshot snapshot, ExportOptions options, IProgress<LayerProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(options);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        if (options.Config is null && _settings is not null)
        {
            options = options with { Config = _settings };
        }

        return await LayerRecording.RecordAsync(snapshot, options, async () =>
        {
            var settings = ExportSettings.Resolve(options);
            var diff = SnapshotDiff.Open(snapshot);
            if (SequentialOnly(options) || IsSmall(diff, settings.ActorThresholdEntries, settings.ActorThresholdBytes))
            {
                return ExportSequentially(snapshot, options, progress, cancellationToken);
            }

            return await ExportAsync(LayerSource.Of(diff, snapshot, options.Layer.Diff), options, settings, progress, cancellationToken).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <summary>Shuts the materializer down and, if the engine started it, terminates the actor system.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Materializer.Dispose();
        if (_ownsSystem)
        {
            await System.Terminate().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Few enough entries and bytes that starting actors would cost more than it saves (counting
    /// stops at a threshold). Bytes count too: two 1 GiB files are two entries, and compressing them
    /// on one thread would leave the other cores idle.
    /// </summary>
    internal static bool IsSmall(SnapshotDiff diff, int actorThresholdEntries, long actorThresholdBytes) =>
        (diff.Upper ?? diff.New as DirectoryTree) is { } tree && UpperSize.IsBelow(tree, actorThresholdEntries, actorThresholdBytes);

    /// <summary>
    /// zstd:chunked and eStargz are written only by the sequential exporter, whatever the upper's
    /// size: their frames follow the files (Core's LazyPull writers), which the stream path's
    /// fixed-size block compressor does not do. Both paths would give the same bytes anyway, since
    /// each is deterministic; routing here keeps one writer per format.
    /// </summary>
    internal static bool SequentialOnly(ExportOptions options) => options.Compression.Kind.IsLazyPull();

    internal static LayerExportResult ExportSequentially(Snapshot snapshot, ExportOptions options, IProgress<LayerProgress>? progress, CancellationToken cancellationToken)
    {
        progress?.Report(new LayerProgress(snapshot.Name, ExportPhase.Sequential, 0, 1));
        var warn = Warner(snapshot.Name, options, progress);
        var result = SequentialLayerExporter.Export(snapshot, options.Layer, options.Compression, options.OutputPath, warn, cancellationToken, options.DurableOutput, options.Meter, options.OpenBlob, options.Frames, options.HoldsBlob);
        progress?.Report(new LayerProgress(snapshot.Name, ExportPhase.Completed, 1, 1));
        return result;
    }

    private static Action<string> Warner(string snapshot, ExportOptions options, IProgress<LayerProgress>? progress) => message =>
    {
        options.Warn?.Invoke(message);
        progress?.Report(new LayerProgress(snapshot, ExportPhase.FallingBack, 0, 0, message));
    };
}
