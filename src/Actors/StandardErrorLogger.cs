using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;

namespace ParallelDiff.Actors;

/// <summary>
/// Akka's log on standard error. Akka's own default logger writes to standard output, which a
/// script reads for the descriptor and which must stay empty when a command fails; the engine's
/// defaults log nothing at all unless asked (akka.loglevel, the CLI's --log-level).
/// </summary>
public sealed class StandardErrorLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    public StandardErrorLogger()
    {
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(e => Console.Error.WriteLine(e.ToString()));
    }
}
