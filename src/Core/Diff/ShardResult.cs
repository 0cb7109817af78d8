namespace ParallelDiff.Core.Diff;

/// <summary>
/// The classified output of one shard of a parallel walk (shard 0 is the root). Shards finish in
/// any order; an ordered merge replays them so the layer is the same bytes at any parallelism.
/// </summary>
public sealed record ShardResult(int ShardId, IReadOnlyList<ShardItem> Items);
