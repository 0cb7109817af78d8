using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using ParallelDiff.Actors.Tests.Support;
using ParallelDiff.Actors.Walk;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Fs;
using Xunit;
using Xunit.Abstractions;

namespace ParallelDiff.Actors.Tests.Walk;

/// <summary>
/// A failing shard fails the layer: every worker stops, the stream fails with an exception naming
/// the snapshot and the path, and no shard is offered after it. Cancelling the walk aborts it the
/// same way, as a cancellation, within a second.
/// </summary>
[Collection(Deadlines.Name)]
public sealed class SupervisionTests : WalkTestKit
{
    private const int WorkerCount = 4;

    public SupervisionTests(ITestOutputHelper output) : base(output)
    {
    }

    [Fact]
    public async Task Walk_should_fail_the_layer_and_stop_every_worker_when_a_shard_hits_EACCES()
    {
        using var snapshot = GeneratedSnapshot.Create();
        var denied = Path.Combine(snapshot.Upper, "d004");
        using var reached = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var fs = new HookedFileSystem
        {
            Before = (op, path) =>
            {
                if (op == "readdir" && path == denied)
                {
                    // As root chmod 000 denies nothing: the file system says EACCES instead, once
                    // the test has watched every worker.
                    reached.Set();
                    release.Wait(Patience);
                    throw new FsException(op, path, Errno.EACCES);
                }
            },
        };

        var (supervisor, arrivals, streamDone, completion) = Start(Plans.Overlay(snapshot.Snapshot, fs), new WalkSettings(WorkerCount, 5, 16));
        Assert.True(reached.Wait(Patience), "the walk never reached d004");
        var watched = Workers(supervisor, WorkerCount);
        watched.Add(supervisor);
        foreach (var actor in watched)
        {
            Watch(actor);
        }

        release.Set();

        var terminated = ReceiveN(watched.Count, Patience).Cast<Terminated>().Where(t => t.ExistenceConfirmed).Select(t => t.ActorRef).ToHashSet();
        Assert.Equal(watched.ToHashSet(), terminated);

        var failure = await Assert.ThrowsAsync<WalkFailedException>(() => streamDone.WaitAsync(Patience));
        Assert.Equal("d004", failure.PathText);
        Assert.Equal(snapshot.Upper, failure.Snapshot);
        Assert.Contains(snapshot.Upper, failure.Message, StringComparison.Ordinal);
        Assert.Contains("d004", failure.Message, StringComparison.Ordinal);
        Assert.Contains("EACCES", failure.Message, StringComparison.Ordinal);
        var walk = await Assert.ThrowsAsync<WalkFailedException>(() => completion.Task.WaitAsync(Patience));
        Assert.Same(failure, walk);

        // Nothing of d004 was ever offered, and nothing at all after the failure.
        var seen = arrivals.Count;
        await Task.Delay(300);
        Assert.Equal(seen, arrivals.Count);
        Assert.DoesNotContain(arrivals.SelectMany(r => r.Items), i => i.Change is { } c && PathBytes.Display(c.Path).StartsWith("d004/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Walk_should_fail_the_layer_when_a_file_vanishes_under_the_walk()
    {
        using var snapshot = GeneratedSnapshot.Create(topDirectories: 8);
        var vanished = Path.Combine(snapshot.Upper, "d006", "n000");
        var fs = new HookedFileSystem
        {
            Before = (op, path) =>
            {
                if (op == "lstat" && path == vanished)
                {
                    throw new FsException(op, path, Errno.ENOENT);
                }
            },
        };

        var (supervisor, _, streamDone, _) = Start(Plans.Overlay(snapshot.Snapshot, fs), new WalkSettings(WorkerCount, 2048, 16));
        Watch(supervisor);

        var failure = await Assert.ThrowsAsync<WalkFailedException>(() => streamDone.WaitAsync(Patience));
        Assert.Contains("d006", failure.Message, StringComparison.Ordinal);
        Assert.Contains("ENOENT", failure.Message, StringComparison.Ordinal);
        ExpectTerminated(supervisor, Patience);
    }

    [Fact]
    public async Task Walk_should_abort_the_stream_and_every_worker_within_a_second_when_cancelled()
    {
        using var snapshot = GeneratedSnapshot.Create(topDirectories: 12);

        // Every shard but the root hangs until the walk is cancelled.
        var plan = new ShardPlan(Plans.Overlay(snapshot.Snapshot), (span, ct) =>
        {
            if (span.Directory.Length > 0)
            {
                ct.WaitHandle.WaitOne(Patience);
                ct.ThrowIfCancellationRequested();
            }
        });
        using var cancel = new CancellationTokenSource();
        // A budget of 3 entries leaves most directories to shards of their own (2048 would walk this small tree inline).
        var (supervisor, _, streamDone, completion) = Start(plan, new WalkSettings(WorkerCount, 3, 16), cancel.Token);
        var t0 = System.Diagnostics.Stopwatch.StartNew();
        while (plan.Classified <= WorkerCount && t0.Elapsed < Patience)
        {
            await Task.Delay(20);
        }

        Assert.True(plan.Classified > WorkerCount, $"only {plan.Classified} shards started");
        var watched = Workers(supervisor, WorkerCount);
        watched.Add(supervisor);
        foreach (var actor in watched)
        {
            Watch(actor);
        }

        var stopped = System.Diagnostics.Stopwatch.StartNew();
        cancel.Cancel();

        var terminated = ReceiveN(watched.Count, TimeSpan.FromSeconds(1)).Cast<Terminated>().Where(t => t.ExistenceConfirmed).Select(t => t.ActorRef).ToHashSet();
        Assert.Equal(watched.ToHashSet(), terminated);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => streamDone.WaitAsync(TimeSpan.FromSeconds(1)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => completion.Task.WaitAsync(TimeSpan.FromSeconds(1)));
        Assert.True(stopped.Elapsed < TimeSpan.FromSeconds(1), $"took {stopped.Elapsed}");
    }

    private (IActorRef Supervisor, ConcurrentQueue<ShardResult> Arrivals, Task StreamDone, TaskCompletionSource<WalkSummary> Completion) Start(WalkPlan plan, WalkSettings settings, CancellationToken cancellation = default)
    {
        var arrivals = new ConcurrentQueue<ShardResult>();
        var (queue, done) = Source.Queue<ShardResult>(2, OverflowStrategy.Backpressure)
            .ToMaterialized(Sink.ForEach<ShardResult>(arrivals.Enqueue), Keep.Both)
            .Run(Materializer);
        var completion = new TaskCompletionSource<WalkSummary>(TaskCreationOptions.RunContinuationsAsynchronously);
        var supervisor = Sys.ActorOf(WalkSupervisor.Props(plan, settings, queue, completion, cancellation: cancellation), "walk");
        return (supervisor, arrivals, done, completion);
    }
}
