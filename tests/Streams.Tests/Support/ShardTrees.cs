using ParallelDiff.Core.Diff;

namespace ParallelDiff.Streams.Tests.Support;

/// <summary>
/// Cuts an ordered change list into a random shard tree whose in-order flattening is that list,
/// the contract a parallel walk's shards follow. Some shards are empty, some nest deeply.
/// </summary>
public static class ShardTrees
{
    public static List<ShardResult> Split(IReadOnlyList<Change> changes, Random random)
    {
        var shards = new List<ShardResult>();
        var nextId = 1;
        shards.Add(Build(0, changes.ToList(), 0));
        return shards;

        ShardResult Build(int id, List<Change> items, int depth)
        {
            var result = new List<ShardItem>();
            var i = 0;
            while (i <= items.Count)
            {
                if (depth < 5 && random.Next(5) == 0)
                {
                    var length = random.Next(0, Math.Min(6, items.Count - i) + 1);
                    var childId = nextId++;
                    shards.Add(Build(childId, items.GetRange(i, length), depth + 1));
                    result.Add(ShardItem.Child(childId));
                    i += length;
                }
                else if (i < items.Count)
                {
                    result.Add(ShardItem.Of(items[i]));
                    i++;
                }
                else
                {
                    break;
                }
            }

            return new ShardResult(id, result);
        }
    }

    public static List<T> Shuffled<T>(IEnumerable<T> items, Random random)
    {
        var list = items.ToList();
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list));
        return list;
    }
}
