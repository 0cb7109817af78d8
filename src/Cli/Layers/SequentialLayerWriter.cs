using ParallelDiff.Core.Layers;

namespace ParallelDiff.Cli.Layers;

/// <summary>
/// Core's sequential exporter, one dedicated thread per layer (it blocks on file I/O; the thread
/// pool stays free for the progress view). It ignores the parallelism it is offered.
/// </summary>
public sealed class SequentialLayerWriter : ILayerWriter
{
    public Task<LayerExportResult> WriteAsync(LayerWriteRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Task.Factory.StartNew(
            () => SequentialLayerExporter.Export(request.Snapshot, request.Layer, request.Compression, request.OutputPath, request.Warn, cancellationToken),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
