using Akka.Actor;
using Akka.Event;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;
using ParallelDiff.Hosting.Tests.Support;
using Xunit;

namespace ParallelDiff.Hosting.Tests;

/// <summary>Hosted, Akka's log goes to the host's ILogger and not to standard output.</summary>
public sealed class HostedLoggingTests
{
    [Fact]
    public async Task Akka_log_should_reach_the_hosts_ILogger()
    {
        await using var host = await TestHost.StartAsync();
        var token = Guid.NewGuid().ToString("N");

        host.System.Log.Warning("probe {0} from the actor system", token);
        var actor = host.System.ActorOf(Props.Create(() => new LoggingActor()), "logging-actor");
        actor.Tell(token);

        var fromSystem = await host.Log.WaitForAsync(r => r.Message.Contains($"probe {token} from the actor system", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, fromSystem.Level);
        var fromActor = await host.Log.WaitForAsync(r => r.Message.Contains($"actor got {token}", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Information, fromActor.Level);
        Assert.Contains($"akka://{TestHost.SystemName}/user/logging-actor", fromActor.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithParallelDiff_should_replace_Akkas_standard_output_logger()
    {
        await using var host = await TestHost.StartAsync();

        var loggers = host.System.Settings.Loggers;

        Assert.Single(loggers);
        Assert.Contains("LoggerFactoryLogger", loggers[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithParallelDiff_should_leave_the_loggers_alone_when_asked()
    {
        await using var host = await TestHost.StartAsync(options: new ParallelDiffOptions { LogToLoggerFactory = false });
        var token = Guid.NewGuid().ToString("N");

        host.System.Log.Warning("probe {0}", token);
        await Task.Delay(300);

        Assert.DoesNotContain(host.System.Settings.Loggers, l => l.Contains("LoggerFactoryLogger", StringComparison.Ordinal));
        Assert.DoesNotContain(host.Log.Records, r => r.Message.Contains(token, StringComparison.Ordinal));
    }

    private sealed class LoggingActor : ReceiveActor
    {
        public LoggingActor()
        {
            var log = Context.GetLogger();
            Receive<string>(token => log.Info("actor got {0}", token));
        }
    }
}
