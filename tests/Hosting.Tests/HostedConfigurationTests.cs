using Akka.Configuration;
using ParallelDiff.Actors;
using ParallelDiff.Hosting.Tests.Support;
using Xunit;

namespace ParallelDiff.Hosting.Tests;

/// <summary>HOCON defaults under the options' HOCON under IConfiguration's ParallelDiff section, and exports read the result.</summary>
public sealed class HostedConfigurationTests
{
    private const string Pipeline = "paralleldiff.pipeline.";

    [Fact]
    public async Task WithParallelDiff_should_give_the_system_the_reference_defaults()
    {
        await using var host = await TestHost.StartAsync();

        var config = host.System.Settings.Config;

        Assert.Equal(256, config.GetInt(Pipeline + "actor-threshold-entries"));
        Assert.Equal(2048, config.GetInt(Pipeline + "shard-max-entries"));
        Assert.Equal(8, config.GetInt(Pipeline + "max-shards-in-flight"));
        Assert.Equal(16L * 1024 * 1024, config.GetByteSize(Pipeline + "read-ahead-bytes"));
        Assert.Equal("paralleldiff.io-dispatcher", config.GetString(Pipeline + "io-dispatcher"));
        Assert.Equal("PinnedDispatcher", config.GetString("paralleldiff.actors.walk-dispatcher.type"));
    }

    [Fact]
    public async Task IConfiguration_should_override_HOCON_from_the_options_and_the_defaults()
    {
        await using var host = await TestHost.StartAsync(
            new Dictionary<string, string?>
            {
                ["ParallelDiff:pipeline:actor-threshold-entries"] = "0",
                // As an environment variable ParallelDiff__pipeline__shard_max_entries arrives.
                ["ParallelDiff:pipeline:shard_max_entries"] = "17",
                ["ParallelDiff:pipeline:max-shards-in-flight"] = "3",
                ["Unrelated:pipeline:parallelism"] = "9",
            },
            new ParallelDiffOptions { Hocon = ConfigurationFactory.ParseString($"{Pipeline}max-shards-in-flight = 5\n{Pipeline}parallelism = 1") });

        var config = host.System.Settings.Config;

        Assert.Equal(0, config.GetInt(Pipeline + "actor-threshold-entries"));
        Assert.Equal(17, config.GetInt(Pipeline + "shard-max-entries"));
        Assert.Equal(3, config.GetInt(Pipeline + "max-shards-in-flight"));
        Assert.Equal(1, config.GetInt(Pipeline + "parallelism"));
        Assert.Equal(16L * 1024 * 1024, config.GetByteSize(Pipeline + "read-ahead-bytes"));
        Assert.False(config.HasPath("unrelated.pipeline.parallelism"));
    }

    [Fact]
    public async Task An_IConfiguration_override_should_reach_the_engines_exports()
    {
        // A three-file upper is far below the default threshold of 256 entries: only the override
        // sends it through the sharded walk.
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?> { ["ParallelDiff:pipeline:actor-threshold-entries"] = "0" });
        using var snapshot = ScratchSnapshot.Create();
        var phases = new PhaseRecorder();

        var result = await host.Engine.ExportAsync(snapshot.Snapshot, new ExportOptions { OutputPath = Path.Combine(snapshot.Root, "layer.tar.gz") }, phases);

        Assert.Contains(ExportPhase.Walking, phases.Phases);
        Assert.DoesNotContain(ExportPhase.Sequential, phases.Phases);
        Assert.Equal(LayerBlob.ReadGzip(Path.Combine(snapshot.Root, "layer.tar.gz")).DiffId, result.Descriptor.DiffId);
    }

    [Fact]
    public async Task Options_that_carry_their_own_config_should_win_over_the_systems()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?> { ["ParallelDiff:pipeline:actor-threshold-entries"] = "0" });
        using var snapshot = ScratchSnapshot.Create();
        var phases = new PhaseRecorder();

        await host.Engine.ExportAsync(
            snapshot.Snapshot,
            new ExportOptions { OutputPath = Path.Combine(snapshot.Root, "layer.tar.gz"), Config = ConfigurationFactory.ParseString($"{Pipeline}actor-threshold-entries = 1000") },
            phases);

        Assert.Contains(ExportPhase.Sequential, phases.Phases);
        Assert.DoesNotContain(ExportPhase.Walking, phases.Phases);
    }
}
