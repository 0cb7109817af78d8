using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Layers;

namespace ParallelDiff.Streams;

/// <summary>
/// A layer written by <see cref="LayerPipeline"/>: its descriptor (media type, blob digest and
/// size, diffID), the tar entries, the file data bytes read and the uncompressed tar's length.
/// </summary>
public sealed record LayerPipelineResult(LayerDescriptor Descriptor, int Entries, long DataBytes, long TarBytes)
{
    /// <summary>Core's result shape, for callers that report which differ produced the changes.</summary>
    public LayerExportResult ToExportResult(DifferKind differ) => new(Descriptor, new LayerTarResult(differ, Entries, DataBytes), TarBytes);
}
