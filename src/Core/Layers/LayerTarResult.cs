using ParallelDiff.Core.Diff;

namespace ParallelDiff.Core.Layers;

/// <summary>What writing one layer's tar did: the differ that ran, the entries and the data bytes read.</summary>
public sealed record LayerTarResult(DifferKind Differ, int Entries, long DataBytes);
