using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using ParallelDiff.Core.Diff;

namespace ParallelDiff.Actors.Walk;

/// <summary>
/// Runs one layer's walk: hands shards to a fixed set of workers, turns the shards they ask for
/// into new shards (depth first, so the ordered merge downstream can emit early), and offers each
/// classified shard to the layer stream through a backpressured queue, one offer at a time. A
/// shard counts as in flight from its assignment until the stream has taken it, and no new shard
/// is assigned while <see cref="WalkSettings.MaxShardsInFlight"/> are: a slow writer stops the walk.
/// Any worker failure fails the layer: every worker stops, the queue fails with an exception that
/// names the snapshot and the path, and nothing more is offered.
/// </summary>
public sealed class WalkSupervisor : ReceiveActor, IDisposable
{
    private readonly WalkPlan _plan;
    private readonly WalkSettings _settings;
    private readonly ISourceQueueWithComplete<ShardResult> _shards;
    private readonly TaskCompletionSource<WalkSummary> _completion;
    private readonly IProgress<LayerProgress>? _progress;
    private readonly CancellationToken _cancellation;
    private readonly CancellationTokenSource _stop;
    private readonly Stack<IActorRef> _idle = new();
    private readonly LinkedList<ShardAssigned> _pending = new();
    private readonly Queue<ShardResult> _classified = new();
    private CancellationTokenRegistration _cancelled;
    private IActorRef _self = ActorRefs.Nobody;
    private ILoggingAdapter _log = NoLogger.Instance;
    private int _nextShardId;
    private int _inFlight;
    private int _done;
    private long _items;
    private bool _offering;
    private bool _ended;

    public WalkSupervisor(WalkPlan plan, WalkSettings settings, ISourceQueueWithComplete<ShardResult> shards, TaskCompletionSource<WalkSummary> completion, IProgress<LayerProgress>? progress, CancellationToken cancellation)
    {
        _plan = plan;
        _settings = settings;
        _shards = shards;
        _completion = completion;
        _progress = progress;
        _cancellation = cancellation;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        Receive<ShardClassified>(HandleShardClassified);
        Receive<ShardOffered>(HandleShardOffered);
        Receive<ShardOfferFailed>(HandleShardOfferFailed);
        Receive<WalkEnded>(HandleWalkEnded);
        Receive<WalkCancelled>(HandleWalkCancelled);
    }

    /// <param name="shards">The layer stream's input; completed when the walk is done, failed when it fails.</param>
    /// <param name="completion">Completed with the summary, failed with the <see cref="WalkFailedException"/>, or cancelled when the walk is cancelled or the supervisor stopped early.</param>
    /// <param name="cancellation">
    /// Cancels the walk: running shards stop at their next entry, the queue fails with an
    /// <see cref="OperationCanceledException"/>, and the supervisor and its workers stop. Prefer it
    /// to stopping the supervisor, which lets each worker finish the shard it is in first (a
    /// worker's thread is busy until then, and the supervisor cancels shards only in PostStop).
    /// </param>
    public static Props Props(WalkPlan plan, WalkSettings settings, ISourceQueueWithComplete<ShardResult> shards, TaskCompletionSource<WalkSummary> completion, IProgress<LayerProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validated();
        return Akka.Actor.Props.Create(() => new WalkSupervisor(plan, settings, shards, completion, progress, cancellation));
    }

    /// <summary>
    /// Explicit and loud: any exception in a worker (EACCES, a vanished file, an overlay
    /// inconsistency) fails the whole layer, and every worker stops with it. A resumed or
    /// restarted worker would leave a hole in the layer, so there is neither. The failure is
    /// reported by the exception the layer fails with (and logged here as a warning), not by the
    /// strategy's own error log: under DifferKind.Auto an overlay inconsistency is an expected
    /// fallback, and a console app's stdout is no place for it.
    /// </summary>
    protected override SupervisorStrategy SupervisorStrategy() =>
        new AllForOneStrategy(maxNrOfRetries: 0, withinTimeMilliseconds: 0, localOnlyDecider: FailLayerOnWorkerFailure, loggingEnabled: false);

    protected override void PreStart()
    {
        _self = Self;
        _log = Context.GetLogger();
        var self = Self;
        _cancelled = _cancellation.Register(() => self.Tell(new WalkCancelled()));
        for (var i = 0; i < _settings.Workers; i++)
        {
            var props = ShardWorker.Props(_plan, _settings.ShardMaxEntries, _stop.Token).WithDispatcher(_settings.Dispatcher);
            _idle.Push(Context.ActorOf(props, $"worker-{i}"));
        }

        _pending.AddFirst(new ShardAssigned(_nextShardId++, ShardSpan.Root));
        Report();
        AssignShards();
    }

    /// <summary>Stopped before the end (the engine or a host stopping it): abort the running shards and the stream.</summary>
    protected override void PostStop()
    {
        _cancelled.Dispose();
        Abort("stopped");
    }

    /// <summary>Akka disposes a stopped actor that is disposable: after PostStop, when no worker can start a shard.</summary>
    public void Dispose()
    {
        _cancelled.Dispose();
        _stop.Dispose();
    }

    private void HandleShardClassified(ShardClassified shard)
    {
        _idle.Push(Sender);
        if (_ended)
        {
            return;
        }

        // Children take the next ids, in order, and go to the front of the pending list: the walk
        // proceeds depth first, roughly in the order the merged layer is written.
        var firstChild = _nextShardId;
        _nextShardId += shard.Outcome.Children.Count;
        var before = _pending.First;
        for (var i = 0; i < shard.Outcome.Children.Count; i++)
        {
            var child = new ShardAssigned(firstChild + i, shard.Outcome.Children[i]);
            if (before is null)
            {
                _pending.AddLast(child);
            }
            else
            {
                _pending.AddBefore(before, child);
            }
        }

        var result = new ShardResult(shard.ShardId, shard.Outcome.NumberChildren(firstChild));
        _items += result.Items.Count;
        _classified.Enqueue(result);
        OfferNext();
        AssignShards();
    }

    private void HandleShardOffered(ShardOffered offered)
    {
        _offering = false;
        if (_ended)
        {
            return;
        }

        if (offered.Result is not QueueOfferResult.Enqueued)
        {
            var why = offered.Result is QueueOfferResult.Failure failure ? failure.Cause.Message : offered.Result.GetType().Name;
            FailLayer(new WalkFailedException($"snapshot {_plan.Snapshot}: the layer stream stopped taking shards at shard {offered.Shard.ShardId} ({why})"));
            return;
        }

        _inFlight--;
        _done++;
        Report();
        if (_inFlight == 0 && _pending.Count == 0)
        {
            Complete();
            return;
        }

        OfferNext();
        AssignShards();
    }

    private void HandleShardOfferFailed(ShardOfferFailed failed)
    {
        _offering = false;
        if (!_ended)
        {
            FailLayer(new WalkFailedException($"snapshot {_plan.Snapshot}: the layer stream stopped taking shards at shard {failed.Shard.ShardId} ({failed.Cause.Message})", failed.Cause));
        }
    }

    private void HandleWalkEnded(WalkEnded ended) => Context.Stop(Self);

    private void HandleWalkCancelled(WalkCancelled cancelled)
    {
        Abort("cancelled");
        Context.Stop(Self);
    }

    private void AssignShards()
    {
        while (!_ended && _idle.Count > 0 && _pending.First is { } next && _inFlight < _settings.MaxShardsInFlight)
        {
            _pending.RemoveFirst();
            _inFlight++;
            _idle.Pop().Tell(next.Value);
        }
    }

    /// <summary>One offer at a time: with OverflowStrategy.Backpressure the next offer must wait for the last.</summary>
    private void OfferNext()
    {
        if (_offering || _classified.Count == 0)
        {
            return;
        }

        _offering = true;
        var shard = _classified.Dequeue();
        _shards.OfferAsync(shard).PipeTo(
            _self,
            success: result => new ShardOffered(shard, result),
            failure: cause => new ShardOfferFailed(shard, cause));
    }

    private void Complete()
    {
        _ended = true;
        _shards.Complete();
        _completion.TrySetResult(new WalkSummary(_plan.Differ, _nextShardId, _items));
        _progress?.Report(new LayerProgress(_plan.Snapshot, ExportPhase.Walking, _done, _nextShardId));
        _self.Tell(new WalkEnded());
    }

    /// <summary>Runs in the supervisor while it handles the worker's failure, before any later shard result.</summary>
    private Directive FailLayerOnWorkerFailure(Exception cause)
    {
        FailLayer(cause as WalkFailedException ?? new WalkFailedException($"snapshot {_plan.Snapshot}: a shard worker failed: {cause.Message}", cause));
        return Directive.Stop;
    }

    private void FailLayer(WalkFailedException failure)
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        _stop.Cancel();
        _classified.Clear();
        _pending.Clear();
        _log.Warning("layer failed: {0}", failure.Message);
        _shards.Fail(failure);
        _completion.TrySetException(failure);
        _self.Tell(new WalkEnded());
    }

    /// <summary>Cancels the running shards first, so each worker's thread is free to stop, then fails the stream as cancelled.</summary>
    private void Abort(string how)
    {
        _stop.Cancel();
        if (_ended)
        {
            return;
        }

        _ended = true;
        _classified.Clear();
        _pending.Clear();
        _shards.Fail(new OperationCanceledException($"snapshot {_plan.Snapshot}: the walk was {how}", _cancellation));
        _completion.TrySetCanceled(_cancellation);
    }

    private void Report() => _progress?.Report(new LayerProgress(_plan.Snapshot, ExportPhase.Walking, _done, _nextShardId));
}
