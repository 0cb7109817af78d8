using Akka.Dispatch;

namespace ParallelDiff.Actors.Walk;

/// <summary>
/// Runs tasks on an Akka dispatcher's threads, so a worker's blocking shard task lands on the
/// HOCON-declared walk dispatcher rather than on the .NET thread pool the default dispatcher and
/// the streams share.
/// </summary>
internal sealed class DispatcherTaskScheduler : TaskScheduler
{
    private readonly MessageDispatcher _dispatcher;

    public DispatcherTaskScheduler(MessageDispatcher dispatcher) => _dispatcher = dispatcher;

    public override int MaximumConcurrencyLevel => int.MaxValue;

    protected override void QueueTask(Task task) => _dispatcher.Schedule(() => TryExecuteTask(task));

    // Never inline: the caller is an actor's mailbox run, which must not block on a shard.
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

    protected override IEnumerable<Task> GetScheduledTasks() => [];
}
