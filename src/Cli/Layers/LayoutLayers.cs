using System.Diagnostics;
using ParallelDiff.Core.Export;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Oci;

namespace ParallelDiff.Cli.Layers;

/// <summary>Writes layers straight into an OCI layout: staged in its blobs directory, then moved under their digest.</summary>
public static class LayoutLayers
{
    /// <summary>
    /// Writes the layer of <paramref name="request"/> (its OutputPath is ignored) and stores it in the
    /// layout, once however often it is written. Nothing is left in the layout on failure.
    /// </summary>
    /// <returns>The export result and the seconds it took.</returns>
    public static async Task<(LayerExportResult Result, double Seconds)> ExportAsync(
        ILayerWriter writer, OciLayout layout, LayerWriteRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(request);
        var clock = Stopwatch.StartNew();
        var staging = LayoutStaging.NewBlobPath(layout);
        try
        {
            var result = await writer.WriteAsync(request with { OutputPath = staging }, cancellationToken).ConfigureAwait(false);
            layout.AddBlobFile(staging, result.Descriptor.Digest, move: true);
            return (result, clock.Elapsed.TotalSeconds);
        }
        finally
        {
            // Present only when the move did not happen (a failure after the blob was committed).
            File.Delete(staging);
        }
    }
}
