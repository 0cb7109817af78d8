using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using CsCheck;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Snapshots;
using ParallelDiff.Streams.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace ParallelDiff.Streams.Tests;

public sealed class OrderedShardMergeTests : StreamsSpec
{
    public OrderedShardMergeTests(ITestOutputHelper output) : base(output)
    {
    }

    [Fact]
    public async Task OrderedShardMerge_should_replay_shards_sent_in_reverse_order_in_walk_order()
    {
        var changes = Changes(40);
        var shards = ShardTrees.Split(changes, new Random(5));
        Assert.True(shards.Count > 3, "the split should make several shards");

        await this.AssertAllStagesStoppedAsync(async () =>
        {
            var (source, sink) = this.SourceProbe<ShardResult>()
                .Via(new OrderedShardMerge())
                .ToMaterialized(this.SinkProbe<Change>(), Keep.Both)
                .Run(Materializer);
            sink.Request(changes.Count + 1);
            for (var i = shards.Count - 1; i >= 0; i--)
            {
                await source.SendNextAsync(shards[i]);
            }

            await source.SendCompleteAsync();
            var received = await sink.ExpectNextNAsync(changes.Count).ToListAsync();
            await sink.ExpectCompleteAsync();
            Assert.Equal(changes, received);
        }, Materializer);
    }

    [Fact]
    public async Task OrderedShardMerge_should_emit_a_prefix_before_later_shards_arrive()
    {
        var c = Changes(4);
        var root = new ShardResult(0, [ShardItem.Of(c[0]), ShardItem.Child(1), ShardItem.Of(c[3])]);
        var child = new ShardResult(1, [ShardItem.Of(c[1]), ShardItem.Of(c[2])]);

        await this.AssertAllStagesStoppedAsync(async () =>
        {
            var (source, sink) = this.SourceProbe<ShardResult>()
                .Via(new OrderedShardMerge())
                .ToMaterialized(this.SinkProbe<Change>(), Keep.Both)
                .Run(Materializer);
            sink.Request(1);
            await source.SendNextAsync(root);
            await sink.ExpectNextAsync(c[0]);
            // The root's next item is child 1's slot: nothing more until it arrives.
            sink.Request(10);
            await sink.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
            await source.SendNextAsync(child);
            Assert.Equal([c[1], c[2], c[3]], await sink.ExpectNextNAsync(3).ToListAsync());
            await source.SendCompleteAsync();
            await sink.ExpectCompleteAsync();
        }, Materializer);
    }

    [Fact]
    public async Task OrderedShardMerge_should_flatten_any_shard_tree_in_any_arrival_order()
    {
        var gen = from count in Gen.Int[0, 60]
                  from seed in Gen.Int
                  select (count, seed);

        await gen.SampleAsync(async t =>
        {
            var changes = Changes(t.count);
            var random = new Random(t.seed);
            var shards = ShardTrees.Shuffled(ShardTrees.Split(changes, random), random);
            var received = await Source.From(shards).Via(new OrderedShardMerge()).RunWith(Sink.Seq<Change>(), Materializer);
            return changes.SequenceEqual(received);
        }, iter: 100, threads: 1);
    }

    [Fact]
    public async Task OrderedShardMerge_should_fail_naming_a_shard_that_never_arrived()
    {
        var c = Changes(2);
        var shards = new[]
        {
            new ShardResult(0, [ShardItem.Of(c[0]), ShardItem.Child(1), ShardItem.Child(7)]),
            new ShardResult(1, [ShardItem.Of(c[1])]),
        };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Source.From(shards).Via(new OrderedShardMerge()).RunWith(Sink.Seq<Change>(), Materializer));

        Assert.Contains("shard 7", error.Message);
    }

    [Fact]
    public async Task OrderedShardMerge_should_fail_when_the_root_never_arrives()
    {
        var shards = new[] { new ShardResult(1, [ShardItem.Of(Changes(1)[0])]) };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Source.From(shards).Via(new OrderedShardMerge()).RunWith(Sink.Seq<Change>(), Materializer));

        Assert.Contains("shard 0", error.Message);
    }

    [Fact]
    public async Task OrderedShardMerge_should_fail_on_a_shard_nobody_refers_to()
    {
        var c = Changes(2);
        var shards = new[]
        {
            new ShardResult(0, [ShardItem.Of(c[0])]),
            new ShardResult(3, [ShardItem.Of(c[1])]),
        };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Source.From(shards).Via(new OrderedShardMerge()).RunWith(Sink.Seq<Change>(), Materializer));

        Assert.Contains("3", error.Message);
    }

    [Fact]
    public async Task OrderedShardMerge_should_fail_on_a_shard_that_arrives_twice()
    {
        var c = Changes(2);
        var shards = new[]
        {
            new ShardResult(1, [ShardItem.Of(c[1])]),
            new ShardResult(1, [ShardItem.Of(c[1])]),
            new ShardResult(0, [ShardItem.Of(c[0]), ShardItem.Child(1)]),
        };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Source.From(shards).Via(new OrderedShardMerge()).RunWith(Sink.Seq<Change>(), Materializer));

        Assert.Contains("shard 1 arrived twice", error.Message);
    }

    [Fact]
    public async Task OrderedShardMerge_should_not_pull_shards_while_downstream_backpressures()
    {
        var c = Changes(3);
        await this.AssertAllStagesStoppedAsync(async () =>
        {
            var (source, sink) = this.SourceProbe<ShardResult>()
                .Via(new OrderedShardMerge())
                .ToMaterialized(this.SinkProbe<Change>(), Keep.Both)
                .Run(Materializer);
            sink.Request(1);
            await source.ExpectRequestAsync();
            await source.SendNextAsync(new ShardResult(0, [ShardItem.Of(c[0]), ShardItem.Of(c[1]), ShardItem.Child(1)]));
            await sink.ExpectNextAsync(c[0]);
            // c[1] is ready but not requested: the walk must not be asked for more.
            await source.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
            sink.Cancel();
            await source.ExpectCancellationAsync();
        }, Materializer);
    }

    /// <summary>Distinct changes (compared by reference), enough to check order.</summary>
    private static List<Change> Changes(int count) =>
        Enumerable.Range(0, count)
            .Select(i => new Change(ChangeKind.Add, System.Text.Encoding.UTF8.GetBytes($"f{i:D4}"), default(FileStatus), EmptyTree.Instance, null, []))
            .ToList();
}
