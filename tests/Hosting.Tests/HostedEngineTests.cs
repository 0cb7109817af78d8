using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ParallelDiff.Actors;
using ParallelDiff.Hosting.Tests.Support;
using Xunit;

namespace ParallelDiff.Hosting.Tests;

/// <summary>The engine a host gets from AddExportEngine: it runs in the host's actor system, and its layers are right.</summary>
public sealed class HostedEngineTests
{
    [Fact]
    public async Task AddExportEngine_should_give_an_engine_in_the_hosts_actor_system_and_start_no_other()
    {
        await using var host = await TestHost.StartAsync();

        var engine = host.Engine;

        Assert.Same(host.System, engine.System);
        Assert.Same(engine, host.Engine);
        Assert.Equal(TestHost.SystemName, engine.System.Name);
        // AddAkka registers the one system; nothing of ours adds another, and the engine did not
        // start one of its own (that one would be named "paralleldiff").
        Assert.Equal(1, host.ActorSystemRegistrations);
        Assert.True(engine.System.Dispatchers.HasDispatcher("paralleldiff.actors.walk-dispatcher"));
        Assert.Same(engine.System, host.Host.Services.GetRequiredService<ActorSystem>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ExportEngine_should_write_a_correct_layer_in_the_hosts_system(bool actorPath)
    {
        await using var host = await TestHost.StartAsync(options: new ParallelDiffOptions
        {
            // The walk's actors log their start: where they ran is then in the host's log.
            Hocon = ConfigurationFactory.ParseString("akka.loglevel = DEBUG\nakka.actor.debug.lifecycle = on"),
        });
        using var snapshot = ScratchSnapshot.Create();
        var output = Path.Combine(snapshot.Root, "layer.tar.gz");
        var phases = new PhaseRecorder();

        var result = await host.Engine.ExportAsync(
            snapshot.Snapshot,
            new ExportOptions { OutputPath = output, ActorThresholdEntries = actorPath ? 0 : null },
            phases);

        var blob = LayerBlob.ReadGzip(output);
        Assert.Equal(blob.Digest, result.Descriptor.Digest);
        Assert.Equal(blob.Size, result.Descriptor.Size);
        Assert.Equal(blob.DiffId, result.Descriptor.DiffId);
        Assert.Equal("application/vnd.oci.image.layer.v1.tar+gzip", result.Descriptor.MediaType);
        Assert.Equal(snapshot.ExpectedFiles.Keys.Order(StringComparer.Ordinal), blob.Files.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, content) in snapshot.ExpectedFiles)
        {
            Assert.Equal(content, blob.Files[name]);
        }

        Assert.Contains("added/deep/", blob.Names);
        Assert.DoesNotContain(blob.Names, n => ScratchSnapshot.UntouchedFiles.Contains(n));
        Assert.Contains(actorPath ? ExportPhase.Walking : ExportPhase.Sequential, phases.Phases);
        if (actorPath)
        {
            // The walk supervisor's lifecycle line names the system it started in.
            var walk = await host.Log.WaitForAsync(r => r.Message.Contains("Started (ParallelDiff.Actors.Walk.WalkSupervisor)", StringComparison.Ordinal));
            Assert.Contains($"[akka://{TestHost.SystemName}/user/walk-", walk.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Host_should_own_the_actor_system_the_engine_runs_in()
    {
        var host = await TestHost.StartAsync();
        var system = host.Engine.System;
        Assert.False(system.WhenTerminated.IsCompleted);

        await host.DisposeAsync();

        // Stopping the host ran Akka.Hosting's coordinated shutdown of the system the engine used.
        await system.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task AddExportEngine_should_name_WithParallelDiff_when_the_system_lacks_its_dispatchers()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddAkka("bare", (_, _) => { }).AddExportEngine();
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var refused = Assert.Throws<ConfigurationException>(() => host.Services.GetRequiredService<ExportEngine>());
            Assert.Contains("WithParallelDiff", refused.Message, StringComparison.Ordinal);
            Assert.Contains("paralleldiff.actors.walk-dispatcher", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
