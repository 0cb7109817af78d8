using ParallelDiff.Core.Diff;

namespace ParallelDiff.Actors.Walk;

/// <summary>A finished walk: every shard was classified and taken by the layer stream.</summary>
public sealed record WalkSummary(DifferKind Differ, int Shards, long Items);
