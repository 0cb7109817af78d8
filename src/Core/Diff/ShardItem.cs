namespace ParallelDiff.Core.Diff;

/// <summary>
/// One item of a shard's ordered output: a change, or the place where a child shard's whole
/// output goes. Flattening the shard tree in order gives exactly the sequential walk's changes.
/// </summary>
public readonly record struct ShardItem(Change? Change, int ChildShard)
{
    public static ShardItem Of(Change change) => new(change, -1);

    public static ShardItem Child(int shardId) => new(null, shardId);

    public bool IsChild => Change is null;
}
