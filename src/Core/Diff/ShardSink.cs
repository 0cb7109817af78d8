namespace ParallelDiff.Core.Diff;

/// <summary>Collects a shard's items: changes as they are found, and child shards where they belong.</summary>
public sealed class ShardSink : IChangeSink
{
    private readonly List<ShardItem> _items = [];

    public IReadOnlyList<ShardItem> Items => _items;

    public void Handle(Change change) => _items.Add(ShardItem.Of(change));

    public void AddChild(int shardId) => _items.Add(ShardItem.Child(shardId));
}
