using ParallelDiff.Actors.Tests.Support;
using ParallelDiff.Actors.Walk;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Tests.Diff;
using ParallelDiff.Core.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace ParallelDiff.Actors.Tests.Walk;

/// <summary>
/// Every golden vector walked with the smallest shards there are (one entry each): the flattened
/// shards are the sequential overlay walk's changes, whiteouts, opaque and redirected directories,
/// metacopy files and odd names included.
/// </summary>
public sealed class VectorShardingTests : WalkTestKit
{
    public VectorShardingTests(ITestOutputHelper output) : base(output)
    {
    }

    [RootTheory]
    [MemberData(nameof(VectorData.All), MemberType = typeof(VectorData))]
    public async Task Walk_should_replay_the_sequential_overlay_walk_of_every_vector_in_one_entry_shards(string vector)
    {
        using var v = new VectorCase(vector);
        List<string> expected;
        try
        {
            expected = ChangeLines.Of(Plans.SequentialOverlay(v.Snapshot));
        }
        catch (Exception sequential) when (sequential is not Xunit.Sdk.XunitException)
        {
            // Where the overlay differ refuses a snapshot, the sharded walk must refuse it too.
            var failure = await Assert.ThrowsAsync<WalkFailedException>(() => RunWalk(Plans.Overlay(v.Snapshot), new WalkSettings(3, 1, 8)));
            Assert.IsType(sequential.GetType(), failure.InnerException);
            return;
        }

        var (arrived, _) = await RunWalk(Plans.Overlay(v.Snapshot), new WalkSettings(3, 1, 8));

        Assert.Equal(expected, ChangeLines.Of(ShardFlattener.Flatten(arrived)));
    }
}
