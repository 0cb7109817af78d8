namespace ParallelDiff.Core.Layers;

/// <summary>A written layer: its descriptor and what it took (entries, data bytes read, tar bytes).</summary>
public sealed record LayerExportResult(LayerDescriptor Descriptor, LayerTarResult Tar, long TarBytes)
{
    /// <summary>
    /// The blob was not written to the output path: its destination said it holds this very blob
    /// already (a copy of a tree an OCI layout got earlier in the run; SequentialLayerExporter's holdsBlob).
    /// </summary>
    public bool BlobHeld { get; init; }
}
