namespace ParallelDiff.Core.Snapshots;

/// <summary>One directory of an overlay stack. Data-only layers (lowerdir "::", datadir+) only serve metacopy data.</summary>
public sealed record OverlayLayer(string Path, bool DataOnly = false);
