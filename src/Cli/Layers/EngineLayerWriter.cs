using ParallelDiff.Actors;
using ParallelDiff.Core.Layers;

namespace ParallelDiff.Cli.Layers;

/// <summary>
/// Writes layers through the actor engine: small uppers on a thread of their own with nothing
/// started (the one-file case stays fast), larger ones through one shared engine, started on first
/// need and stopped once at the end of the command.
/// </summary>
public sealed class EngineLayerWriter : ILayerWriter
{
    private readonly Settings _settings;
    private readonly Lazy<ExportEngine> _engine;

    public EngineLayerWriter(Settings settings)
    {
        _settings = settings;
        _engine = new Lazy<ExportEngine>(() => new ExportEngine(settings.Config), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public void Prepare(LayerWriteRequest request)
    {
        if (EngineHandoff.IsFront && !LayerExporter.IsSmall(request.Snapshot, Options(request)))
        {
            throw EngineHandoff.Exec("writes uppers above pipeline.actor-threshold-entries or -bytes");
        }
    }

    public Task<LayerExportResult> WriteAsync(LayerWriteRequest request, CancellationToken cancellationToken)
    {
        var options = Options(request);
        if (EngineHandoff.IsFront)
        {
            // The front writes small uppers and hands the whole command on for any other: the
            // engine's path is not even compiled into it.
            return LayerExporter.TryExportSmall(request.Snapshot, options, progress: null, cancellationToken)
                ?? throw EngineHandoff.Exec("writes uppers above pipeline.actor-threshold-entries or -bytes");
        }

        return LayerExporter.ExportAsync(request.Snapshot, options, _engine, progress: null, cancellationToken);
    }

    private ExportOptions Options(LayerWriteRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new ExportOptions
        {
            OutputPath = request.OutputPath,
            DurableOutput = request.DurableOutput,
            OpenBlob = request.Copy is not { } copy ? null
                : request.WritesFile ? () => BlobTargets.Open(request.OutputPath, request.DurableOutput, copy)
                : copy,
            Layer = request.Layer,
            Compression = request.Compression,
            Parallelism = request.Parallelism,
            Config = _settings.Config,
            Warn = request.Warn,
            Meter = request.Meter,
            Frames = request.Frames,
            HoldsBlob = request.HoldsBlob,
        };
    }

    public async ValueTask DisposeAsync()
    {
        if (_engine.IsValueCreated)
        {
            await _engine.Value.DisposeAsync().ConfigureAwait(false);
        }
    }
}
