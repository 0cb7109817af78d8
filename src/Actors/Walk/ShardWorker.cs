using System.Runtime.ExceptionServices;
using Akka.Actor;

namespace ParallelDiff.Actors.Walk;

/// <summary>
/// Classifies one shard at a time. The blocking work (readdir, lstat, getxattr) runs as a task on
/// the worker's own dispatcher (the pinned walk dispatcher: a thread per worker) and is piped
/// back; the default dispatcher and the stream stages never wait on the disk. A failed shard is
/// rethrown here, so the walk supervisor's strategy sees it and fails the layer.
/// </summary>
internal sealed class ShardWorker : ReceiveActor
{
    private readonly WalkPlan _plan;
    private readonly int _maxEntries;
    private readonly CancellationToken _walkStopped;
    private TaskScheduler? _scheduler;

    public ShardWorker(WalkPlan plan, int maxEntries, CancellationToken walkStopped)
    {
        _plan = plan;
        _maxEntries = maxEntries;
        _walkStopped = walkStopped;
        Receive<ShardAssigned>(HandleShardAssigned);
        Receive<ShardClassified>(HandleShardClassified);
        Receive<ShardAborted>(HandleShardAborted);
    }

    public static Props Props(WalkPlan plan, int maxEntries, CancellationToken walkStopped) =>
        Akka.Actor.Props.Create(() => new ShardWorker(plan, maxEntries, walkStopped));

    protected override void PreStart() => _scheduler = new DispatcherTaskScheduler(Context.Dispatcher);

    private void HandleShardAssigned(ShardAssigned shard)
    {
        var plan = _plan;
        var maxEntries = _maxEntries;
        var token = _walkStopped;
        Task.Factory
            .StartNew(() => plan.Classify(shard.Span, maxEntries, token), token, TaskCreationOptions.DenyChildAttach, _scheduler!)
            .PipeTo(Self, success: outcome => new ShardClassified(shard.ShardId, outcome), failure: cause => new ShardAborted(shard.ShardId, cause));
    }

    private void HandleShardClassified(ShardClassified shard) => Context.Parent.Tell(shard);

    private void HandleShardAborted(ShardAborted shard)
    {
        if (_walkStopped.IsCancellationRequested && shard.Cause is OperationCanceledException)
        {
            // The supervisor stopped the walk; it is already failing or ending the layer.
            return;
        }

        // Loud: the supervisor's strategy turns this into a failed layer and stops every worker.
        ExceptionDispatchInfo.Throw(shard.Cause);
    }
}
