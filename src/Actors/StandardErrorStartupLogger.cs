using Akka.Event;

namespace ParallelDiff.Actors;

/// <summary>
/// Akka's basic logger of an actor system's start and shutdown (akka.stdout-logger-class), on
/// standard error: Akka's own StandardOutLogger would print on standard output, which carries only
/// the descriptor a script reads.
/// </summary>
public sealed class StandardErrorStartupLogger : MinimalLogger
{
    protected override void Log(object message) => Console.Error.WriteLine(message);
}
