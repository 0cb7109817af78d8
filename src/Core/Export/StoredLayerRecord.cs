namespace ParallelDiff.Core.Export;

/// <summary>One record of <see cref="StoredLayers"/>: the layer's report and, in a --cache directory, the lower paths it depends on.</summary>
public sealed record StoredLayerRecord(SnapshotReport Report, ConsultedLowers? Consulted);
