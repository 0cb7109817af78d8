namespace ParallelDiff.Core.Layers;

/// <summary>A written layer: its descriptor and what it took (entries, data bytes read, tar bytes).</summary>
public sealed record LayerExportResult(LayerDescriptor Descriptor, LayerTarResult Tar, long TarBytes);
