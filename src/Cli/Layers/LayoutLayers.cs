using System.Diagnostics;
using ParallelDiff.Core.Export;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Oci;

namespace ParallelDiff.Cli.Layers;

/// <summary>
/// Writes layers straight into an OCI layout: staged in its blobs directory, then moved under their
/// digest. The digest is the one the writer computed from the bytes as it wrote them, so the staged
/// file is not read again.
/// </summary>
public static class LayoutLayers
{
    /// <summary>
    /// Writes the layer of <paramref name="request"/> (its OutputPath is ignored) and stores it in the
    /// layout, durable on return, once however often it is written. Nothing is left in the layout on failure.
    /// </summary>
    /// <returns>The export result and the seconds it took.</returns>
    public static Task<(LayerExportResult Result, double Seconds)> ExportAsync(
        ILayerWriter writer, OciLayout layout, LayerWriteRequest request, CancellationToken cancellationToken) =>
        ExportAsync(writer, layout, request, pending: null, cancellationToken);

    /// <summary>
    /// As <see cref="ExportAsync(ILayerWriter, OciLayout, LayerWriteRequest, CancellationToken)"/>, with
    /// the blob's fsyncs left to <paramref name="pending"/>: nothing may name it before its Sync.
    /// </summary>
    public static async Task<(LayerExportResult Result, double Seconds)> ExportAsync(
        ILayerWriter writer, OciLayout layout, LayerWriteRequest request, PendingBlobs? pending, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(request);
        var clock = Stopwatch.StartNew();
        var staging = LayoutStaging.NewBlobPath(layout);
        try
        {
            // A layer written only here may be a blob this layout got earlier in the run (ten copies
            // of one tree): then it is not written again.
            var holds = request.Copy is null ? (Func<Core.Layers.LazyPull.KnownBlob, bool>)(b => layout.HoldsPlaced(b.Digest, b.Size)) : null;
            var result = await writer.WriteAsync(request with { OutputPath = staging, DurableOutput = pending is null, HoldsBlob = holds }, cancellationToken).ConfigureAwait(false);
            var blob = result.Descriptor;
            if (result.BlobHeld)
            {
                layout.AddPlacedBlob(blob.Digest, blob.Size, pending);
            }
            else if (pending is null)
            {
                layout.AddStagedBlob(staging, blob.Digest, blob.Size);
            }
            else
            {
                layout.AddStagedBlob(staging, blob.Digest, blob.Size, pending);
            }

            return (result, clock.Elapsed.TotalSeconds);
        }
        finally
        {
            // Present only when the move did not happen (a failure after the blob was committed).
            File.Delete(staging);
        }
    }
}
