namespace ParallelDiff.Core.Tests.Vectors;

/// <summary>One layer of snapshot.json ("lower0", …, "upper"): its entries in walk order, the root "." first.</summary>
public sealed record VectorLayer(string Name, IReadOnlyList<VectorEntry> Entries);
