using ParallelDiff.Actors.Tests.Support;
using ParallelDiff.Actors.Walk;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Snapshots;
using Xunit;
using Xunit.Abstractions;

namespace ParallelDiff.Actors.Tests.Walk;

/// <summary>
/// The sharded walk against the sequential overlay walk on a generated upper of hundreds of
/// directories and files: the flattened shards are exactly the sequential change list, whatever
/// the worker count, the range size and the in-flight bound, and whatever order shards finish in.
/// </summary>
public sealed class ShardingTests : WalkTestKit
{
    public ShardingTests(ITestOutputHelper output) : base(output)
    {
    }

    [Theory]
    [InlineData(1, 2048, 64)]
    [InlineData(2, 7, 4)]
    [InlineData(4, 1, 1)]
    [InlineData(8, 7, 64)]
    [InlineData(3, 13, 2)]
    [InlineData(16, 2, 8)]
    public async Task Walk_should_replay_the_sequential_overlay_walk_at_any_sharding(int workers, int maxEntries, int inFlight)
    {
        using var snapshot = GeneratedSnapshot.Create();
        var expected = ChangeLines.Of(Plans.SequentialOverlay(snapshot.Snapshot));
        Assert.True(expected.Count > 300, $"the generated upper is too small to shard ({expected.Count} changes)");

        var (arrived, summary) = await RunWalk(Plans.Overlay(snapshot.Snapshot), new WalkSettings(workers, maxEntries, inFlight));

        Assert.Equal(expected, ChangeLines.Of(ShardFlattener.Flatten(arrived)));
        Assert.Equal(arrived.Count, summary.Shards);
        Assert.Equal(DifferKind.Overlay, summary.Differ);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(30)]
    [InlineData(2048)]
    public async Task Walk_should_inline_small_directories_and_cut_big_ones_into_ranges_of_shard_max_entries(int maxEntries)
    {
        using var snapshot = GeneratedSnapshot.Create(topDirectories: 8, bigEntries: 60);

        var (arrived, _) = await RunWalk(Plans.Overlay(snapshot.Snapshot), new WalkSettings(4, maxEntries, 16));

        // Small upper directories ride inline in their parent's shard; a range of a big one is a
        // shard of its own (an opaque one is diffed whole where it is met).
        Assert.Equal(ExpectedShards(snapshot.Upper, maxEntries, snapshot.WholeSubtrees), arrived.Count);
    }

    [Fact]
    public async Task Walk_should_give_the_sequential_order_when_shards_finish_out_of_order()
    {
        using var snapshot = GeneratedSnapshot.Create();
        var expected = ChangeLines.Of(Plans.SequentialOverlay(snapshot.Snapshot));

        // Early directories are slow, later ones fast: their shards overtake.
        var plan = new ShardPlan(Plans.Overlay(snapshot.Snapshot), (span, ct) =>
        {
            var name = span.Directory.Length == 0 ? "" : System.Text.Encoding.UTF8.GetString(span.Directory);
            if (name is "d000" or "d001" or "d003" or "big" || name.StartsWith("d000/", StringComparison.Ordinal))
            {
                Task.Delay(150, ct).Wait(ct);
            }
        });
        var (arrived, _) = await RunWalk(plan, new WalkSettings(6, 7, 64));

        var order = arrived.Select(r => r.ShardId).ToList();
        Assert.NotEqual(order.Order().ToList(), order);
        Assert.Equal(expected, ChangeLines.Of(ShardFlattener.Flatten(arrived)));
    }

    [Fact]
    public async Task Walk_should_run_the_walking_differ_as_one_shard()
    {
        using var snapshot = GeneratedSnapshot.Create(topDirectories: 6);
        var diff = SnapshotDiff.Open(snapshot.Snapshot);
        var expected = new ChangeList();
        diff.WalkingDiffer(DiffOptions.Default).Run(expected, CancellationToken.None);

        var plan = WalkPlan.For(diff, snapshot.Snapshot.Name, DifferKind.Walking, DiffOptions.Default);
        var (arrived, summary) = await RunWalk(plan, new WalkSettings(4, 1, 4));

        Assert.Single(arrived);
        Assert.Equal(DifferKind.Walking, summary.Differ);
        Assert.Equal(ChangeLines.Of(expected), ChangeLines.Of(ShardFlattener.Flatten(arrived)));
    }

    /// <summary>
    /// The shard rule, computed from the directory tree alone: a shard classifies at most
    /// maxEntries entries of its own directory (the rest become range shards), and walks an upper
    /// subdirectory inline when its entry budget still covers all of that subdirectory's entries.
    /// </summary>
    private static int ExpectedShards(string directory, int maxEntries, IReadOnlySet<string> whole)
    {
        var entries = Listing(directory);
        var shards = Math.Max(1, (entries.Length + maxEntries - 1) / maxEntries);
        var budget = maxEntries;
        foreach (var entry in entries.Take(maxEntries))
        {
            shards += Below(entry, maxEntries, whole, ref budget);
        }

        // The range shards start with their own budgets.
        for (var start = maxEntries; start < entries.Length; start += maxEntries)
        {
            var rangeBudget = maxEntries;
            foreach (var entry in entries.Skip(start).Take(maxEntries))
            {
                shards += Below(entry, maxEntries, whole, ref rangeBudget);
            }
        }

        return shards;
    }

    /// <summary>Shards made below one classified entry, spending the budget of the shard that classified it.</summary>
    private static int Below(FileSystemInfo entry, int maxEntries, IReadOnlySet<string> whole, ref int budget)
    {
        budget--;
        if (entry is not DirectoryInfo { LinkTarget: null } sub || whole.Contains(sub.FullName))
        {
            return 0;
        }

        var children = Listing(sub.FullName);
        if (children.Length > budget)
        {
            return ExpectedShards(sub.FullName, maxEntries, whole);
        }

        var shards = 0;
        foreach (var child in children)
        {
            shards += Below(child, maxEntries, whole, ref budget);
        }

        return shards;
    }

    private static FileSystemInfo[] Listing(string directory) =>
        [.. new DirectoryInfo(directory).GetFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal)];
}
