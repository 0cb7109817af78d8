using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.TestKit;
using ParallelDiff.Actors.Tests.Support;
using ParallelDiff.Actors.Walk;
using ParallelDiff.Core.Diff;
using Xunit;
using Xunit.Abstractions;

namespace ParallelDiff.Actors.Tests.Walk;

/// <summary>A slow layer stream slows the walk: no demand, no more shards than the buffer and the in-flight bound.</summary>
[Collection(Deadlines.Name)]
public sealed class BackpressureTests : WalkTestKit
{
    public BackpressureTests(ITestOutputHelper output) : base(output)
    {
    }

    [Fact]
    public async Task Walk_should_classify_no_more_than_buffer_and_in_flight_shards_while_the_stream_takes_nothing()
    {
        using var snapshot = GeneratedSnapshot.Create();
        const int buffer = 1;
        const int inFlight = 2;
        var plan = new ShardPlan(Plans.Overlay(snapshot.Snapshot));
        var (queue, probe) = Source.Queue<ShardResult>(buffer, OverflowStrategy.Backpressure)
            .ToMaterialized(this.SinkProbe<ShardResult>(), Keep.Both)
            .Run(Materializer);
        var completion = new TaskCompletionSource<WalkSummary>(TaskCreationOptions.RunContinuationsAsynchronously);
        Sys.ActorOf(WalkSupervisor.Props(plan, new WalkSettings(8, 3, inFlight), queue, completion));

        // Without demand: one shard sits in the queue's buffer, and at most inFlight more are
        // classified (one of them waiting on its offer). Eight idle workers change nothing.
        await Task.Delay(700);
        Assert.InRange(plan.Classified, 1, buffer + inFlight);

        // Demand lets it go on, one shard per request.
        probe.Request(1);
        await probe.ExpectNextAsync();
        await Task.Delay(300);
        Assert.InRange(plan.Classified, 2, buffer + inFlight + 1);

        var rest = new List<ShardResult>();
        await foreach (var shard in probe.ToStrictAsync(TimeSpan.FromSeconds(20)))
        {
            rest.Add(shard);
        }

        var summary = await completion.Task.WaitAsync(Patience);
        Assert.True(summary.Shards > 20, $"only {summary.Shards} shards: the bound above proves nothing");
        Assert.Equal(summary.Shards, plan.Classified);
        Assert.Equal(summary.Shards, rest.Count + 1);
    }
}
