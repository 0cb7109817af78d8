using ParallelDiff.Core.Diff;

namespace ParallelDiff.Actors.Tests.Support;

/// <summary>
/// The oracle for a sharded walk: replays shard results (in whatever order they arrived) from
/// shard 0, expanding each child slot into that shard's items. Every shard must be used exactly once.
/// </summary>
public static class ShardFlattener
{
    public static List<Change> Flatten(IEnumerable<ShardResult> results)
    {
        var byId = new Dictionary<int, ShardResult>();
        foreach (var result in results)
        {
            if (!byId.TryAdd(result.ShardId, result))
            {
                throw new InvalidOperationException($"shard {result.ShardId} arrived twice");
            }
        }

        var changes = new List<Change>();
        var used = new HashSet<int>();
        var stack = new Stack<(ShardResult Shard, int Next)>();
        stack.Push((Take(byId, used, 0), 0));
        while (stack.TryPop(out var top))
        {
            var (shard, next) = top;
            for (; next < shard.Items.Count; next++)
            {
                var item = shard.Items[next];
                if (item.IsChild)
                {
                    stack.Push((shard, next + 1));
                    stack.Push((Take(byId, used, item.ChildShard), 0));
                    break;
                }

                changes.Add(item.Change!);
            }
        }

        var unused = byId.Keys.Except(used).ToList();
        if (unused.Count > 0)
        {
            throw new InvalidOperationException($"shards never referenced by a slot: {string.Join(", ", unused)}");
        }

        return changes;
    }

    private static ShardResult Take(Dictionary<int, ShardResult> byId, HashSet<int> used, int id)
    {
        if (!byId.TryGetValue(id, out var shard))
        {
            throw new InvalidOperationException($"shard {id} has a slot but never arrived");
        }

        if (!used.Add(id))
        {
            throw new InvalidOperationException($"shard {id} has two slots");
        }

        return shard;
    }
}
