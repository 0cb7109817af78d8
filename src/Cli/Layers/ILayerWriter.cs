using ParallelDiff.Core.Layers;

namespace ParallelDiff.Cli.Layers;

/// <summary>
/// How every command writes a layer blob. One writer serves all the layers of a run, so an
/// implementation may keep a costly engine (an actor system) for them all; dispose it once at the end.
/// </summary>
public interface ILayerWriter : IAsyncDisposable
{
    /// <summary>
    /// Called before anything is said about the layer (a progress view's first event): a writer that
    /// hands the whole command on for this layer does it here, so nothing is said twice.
    /// </summary>
    void Prepare(LayerWriteRequest request);

    /// <summary>Writes the blob to <see cref="LayerWriteRequest.OutputPath"/>: complete, or absent on failure.</summary>
    Task<LayerExportResult> WriteAsync(LayerWriteRequest request, CancellationToken cancellationToken);
}
