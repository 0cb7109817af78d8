using ParallelDiff.Core.Diff;

namespace ParallelDiff.Actors.Walk;

/// <summary>
/// What a worker found in one shard: its ordered items, and the shards it asks for. A child slot
/// in <see cref="Items"/> holds an index into <see cref="Children"/>; the walk supervisor turns
/// those indexes into shard ids when it schedules the children.
/// </summary>
public sealed record ShardOutcome(IReadOnlyList<ShardItem> Items, IReadOnlyList<ShardSpan> Children)
{
    /// <summary>The items with each child index replaced by <paramref name="firstChildId"/> + index.</summary>
    public IReadOnlyList<ShardItem> NumberChildren(int firstChildId)
    {
        if (Children.Count == 0)
        {
            return Items;
        }

        var numbered = new ShardItem[Items.Count];
        for (var i = 0; i < numbered.Length; i++)
        {
            var item = Items[i];
            numbered[i] = item.IsChild ? ShardItem.Child(firstChildId + item.ChildShard) : item;
        }

        return numbered;
    }
}
