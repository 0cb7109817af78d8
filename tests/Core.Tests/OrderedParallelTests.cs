using Xunit;

namespace ParallelDiff.Core.Tests;

public sealed class OrderedParallelTests
{
    [Fact]
    public void Results_should_come_in_the_lists_order_whatever_order_the_items_finish_in()
    {
        var items = Enumerable.Range(0, 200).ToList();
        // Early items finish last: a result placed by finishing order would come out reversed.
        var results = OrderedParallel.Map(items, (item, index) =>
        {
            Thread.SpinWait((200 - item) * 200);
            return $"{index}:{item * 3}";
        });

        Assert.Equal(items.Select(i => $"{i}:{i * 3}"), results);
    }

    [Fact]
    public void Of_several_failures_the_first_in_the_lists_order_should_be_thrown_as_thrown()
    {
        var items = Enumerable.Range(0, 100).ToList();
        var e = Assert.Throws<InvalidDataException>(() => OrderedParallel.Map(items, (item, _) =>
        {
            // Item 90 fails at once, item 7 only after the others have had time to fail first.
            if (item == 7)
            {
                Thread.Sleep(50);
            }

            return item is 7 or 90 ? throw new InvalidDataException($"item {item}") : item;
        }));

        Assert.Equal("item 7", e.Message);
    }

    [Fact]
    public void An_empty_list_should_give_no_results()
    {
        Assert.Empty(OrderedParallel.Map(Array.Empty<int>(), (item, _) => item));
    }
}
