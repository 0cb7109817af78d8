using ParallelDiff.Core.Diff;

namespace ParallelDiff.Core.Layers;

/// <summary>Everything that decides the bytes of a layer's uncompressed tar.</summary>
public sealed record LayerOptions
{
    public DifferKind Differ { get; init; } = DifferKind.Auto;

    public DiffOptions Diff { get; init; } = DiffOptions.Default;

    public ChangeWriterOptions Writer { get; init; } = ChangeWriterOptions.Default;

    public static LayerOptions Default { get; } = new();
}
