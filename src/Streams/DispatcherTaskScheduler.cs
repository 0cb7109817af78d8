using Akka.Dispatch;

namespace ParallelDiff.Streams;

/// <summary>
/// Runs tasks on an Akka dispatcher declared in HOCON, so SelectAsync's work (blocking reads,
/// compression) lands on the io- or cpu-dispatcher and never on the stream actors' threads or the
/// shared .NET pool, whose thread injection reacts too slowly to blocking reads.
/// </summary>
internal sealed class DispatcherTaskScheduler : TaskScheduler
{
    private readonly MessageDispatcher _dispatcher;

    public DispatcherTaskScheduler(MessageDispatcher dispatcher) => _dispatcher = dispatcher;

    /// <summary>Starts <paramref name="work"/> on the dispatcher.</summary>
    public Task<T> Run<T>(Func<T> work) => Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.DenyChildAttach, this);

    protected override void QueueTask(Task task) => _dispatcher.Schedule(() => TryExecuteTask(task));

    // Inlining would run a read or a compression on whichever thread waits: exactly what the
    // dispatcher is there to prevent.
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

    // The dispatcher's queue is not ours to enumerate; debuggers accept null here.
    protected override IEnumerable<Task>? GetScheduledTasks() => null;
}
