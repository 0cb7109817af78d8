using Akka.Actor;
using Akka.Configuration;
using Akka.Streams;
using Akka.Streams.Dsl;
using ParallelDiff.Actors.Walk;
using ParallelDiff.Core.Diff;
using Xunit.Abstractions;

namespace ParallelDiff.Actors.Tests.Support;

/// <summary>An actor system with the library's reference.conf, and a way to run one walk into a collecting sink.</summary>
public abstract class WalkTestKit : Akka.TestKit.Xunit2.TestKit
{
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    protected WalkTestKit(ITestOutputHelper output)
        : base(ConfigurationFactory.ParseString("akka.loglevel = WARNING").WithFallback(ActorsConfig.Reference), output: output)
    {
        Materializer = Sys.Materializer();
    }

    protected ActorMaterializer Materializer { get; }

    /// <summary>A walk whose shards, in the order they arrive, are collected by Sink.Seq.</summary>
    protected async Task<(IReadOnlyList<ShardResult> Arrived, WalkSummary Summary)> RunWalk(WalkPlan plan, WalkSettings settings, int buffer = 4)
    {
        var (queue, arrived) = Source.Queue<ShardResult>(buffer, OverflowStrategy.Backpressure)
            .ToMaterialized(Sink.Seq<ShardResult>(), Keep.Both)
            .Run(Materializer);
        var completion = new TaskCompletionSource<WalkSummary>(TaskCreationOptions.RunContinuationsAsynchronously);
        Sys.ActorOf(WalkSupervisor.Props(plan, settings, queue, completion));
        var results = await arrived.WaitAsync(Patience);
        var summary = await completion.Task.WaitAsync(Patience);
        return (results, summary);
    }

    /// <summary>
    /// The supervisor's workers (worker-0 … worker-N-1), resolved through the provider: a worker
    /// busy on its pinned thread cannot answer an Identify, so ActorSelection.ResolveOne would time out.
    /// </summary>
    protected List<IActorRef> Workers(IActorRef supervisor, int count)
    {
        var provider = ((ExtendedActorSystem)Sys).Provider;
        var workers = new List<IActorRef>();
        for (var i = 0; i < count; i++)
        {
            var worker = provider.ResolveActorRef(supervisor.Path / $"worker-{i}");
            if (worker is not LocalActorRef)
            {
                throw new InvalidOperationException($"{supervisor.Path}/worker-{i} is not running");
            }

            workers.Add(worker);
        }

        return workers;
    }
}
