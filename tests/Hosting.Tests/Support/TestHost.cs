using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ParallelDiff.Actors;

namespace ParallelDiff.Hosting.Tests.Support;

/// <summary>
/// A Generic Host as a .NET worker would build it: AddAkka with WithParallelDiff, AddExportEngine,
/// an in-memory IConfiguration and a recording logger. Started on creation, stopped on disposal.
/// </summary>
public sealed class TestHost : IAsyncDisposable
{
    public const string SystemName = "hosting-test";

    private TestHost(IHost host, int actorSystemRegistrations, RecordingLoggerProvider log)
    {
        Host = host;
        ActorSystemRegistrations = actorSystemRegistrations;
        Log = log;
    }

    public IHost Host { get; }

    /// <summary>How many services of type ActorSystem the container was given.</summary>
    public int ActorSystemRegistrations { get; }

    public RecordingLoggerProvider Log { get; }

    public ActorSystem System => Host.Services.GetRequiredService<ActorSystem>();

    public ExportEngine Engine => Host.Services.GetRequiredService<ExportEngine>();

    public static async Task<TestHost> StartAsync(IDictionary<string, string?>? configuration = null, ParallelDiffOptions? options = null)
    {
        // No defaults: neither the machine's environment nor an appsettings.json may change a setting under test.
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(configuration ?? new Dictionary<string, string?>());
        var log = new RecordingLoggerProvider();
        builder.Logging.ClearProviders().AddProvider(log).SetMinimumLevel(LogLevel.Trace);
        builder.Services
            .AddAkka(SystemName, (akka, services) => akka.WithParallelDiff(services, options))
            .AddExportEngine();
        var registrations = builder.Services.Count(d => d.ServiceType == typeof(ActorSystem));
        var host = builder.Build();
        await host.StartAsync();
        return new TestHost(host, registrations, log);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync();
        if (Host is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
        else
        {
            Host.Dispose();
        }

        Log.Dispose();
    }
}
