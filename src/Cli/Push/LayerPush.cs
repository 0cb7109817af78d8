using ParallelDiff.Core.Layers;
using ParallelDiff.Registry;

namespace ParallelDiff.Cli.Push;

/// <summary>
/// One layer's upload while the exporter writes it: <see cref="Open"/> is the exporter's second
/// destination (a fresh upload for each write, should a layer start over), <see cref="FinishAsync"/>
/// closes it under the digest the exporter computed. Disposed unfinished, the upload is dropped.
/// </summary>
public sealed class LayerPush(RegistryClient client, LayerMeter? meter, CancellationToken cancellationToken) : IDisposable
{
    private BlobUpload? _upload;

    public IBlobTarget Open()
    {
        _upload?.Abandon();
        _upload = new BlobUpload(client, meter is null ? null : meter.AddPushed, cancellationToken);
        return _upload;
    }

    public Task FinishAsync(LayerDescriptor layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        return (_upload ?? throw new InvalidOperationException("no upload was opened for the layer")).FinishAsync(layer.Digest, layer.Size, cancellationToken);
    }

    public void Dispose() => _upload?.Abandon();
}
