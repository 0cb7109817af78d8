using ParallelDiff.Core;
using Xunit;

namespace ParallelDiff.Core.Tests;

/// <summary>The pooled list behind a held-back blob's pieces: every item kept in order across growth, nothing past the end.</summary>
public sealed class PooledListTests
{
    [Fact]
    public void PooledList_should_keep_every_item_in_order_across_growth()
    {
        using var list = new PooledList<(string Name, int Index)>(capacity: 16);
        for (var i = 0; i < 100_000; i++)
        {
            list.Add(("item" + i, i));
        }

        Assert.Equal(100_000, list.Count);
        Assert.Equal(("item0", 0), list[0]);
        Assert.Equal(("item99999", 99_999), list[99_999]);
        Assert.Equal(Enumerable.Range(0, 100_000), list.Select(item => item.Index));
        Assert.Throws<ArgumentOutOfRangeException>(() => list[100_000]);
    }

    [Fact]
    public void PooledList_should_be_empty_once_disposed()
    {
        var list = new PooledList<int>();
        list.Add(7);
        list.Dispose();
        Assert.Empty(list);
        Assert.Throws<ArgumentOutOfRangeException>(() => list[0]);
    }
}
