using Akka.Configuration;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Actors.Tests.Export;

/// <summary>Settings come from the options, then their HOCON, then reference.conf; the repo's hocon/paralleldiff.conf is read as it is.</summary>
public sealed class ExportSettingsTests
{
    [Fact]
    public void ExportSettings_should_read_the_repos_hocon_with_the_same_key_names()
    {
        var config = ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(RepoPaths.Root, "hocon", "paralleldiff.conf")))
            .WithFallback(ConfigurationFactory.ParseString("paralleldiff.pipeline { shard-max-entries = 11, max-shards-in-flight = 5, actor-threshold-entries = 9, actor-threshold-bytes = 3 KiB, parallelism = 3 }"));

        var fromRepo = ExportSettings.Resolve(new ExportOptions { OutputPath = "x", Config = config });
        var overridden = ExportSettings.Resolve(new ExportOptions
        {
            OutputPath = "x",
            Config = ConfigurationFactory.ParseString("paralleldiff.pipeline { shard-max-entries = 11, max-shards-in-flight = 5, actor-threshold-entries = 9, actor-threshold-bytes = 3 KiB, parallelism = 3 }"),
        });

        // The repo's file sets every key, so the values after it in the fallback chain never show.
        Assert.Equal(2048, fromRepo.Walk.ShardMaxEntries);
        Assert.Equal(8, fromRepo.Walk.MaxShardsInFlight);
        Assert.Equal(256, fromRepo.ActorThresholdEntries);
        Assert.Equal(16L << 20, fromRepo.ActorThresholdBytes);
        Assert.Equal(Environment.ProcessorCount, fromRepo.Walk.Workers);
        Assert.Equal(11, overridden.Walk.ShardMaxEntries);
        Assert.Equal(5, overridden.Walk.MaxShardsInFlight);
        Assert.Equal(9, overridden.ActorThresholdEntries);
        Assert.Equal(3072, overridden.ActorThresholdBytes);
        Assert.Equal(3, overridden.Walk.Workers);
        Assert.Equal(3, overridden.Pipeline.EffectiveParallelism);
    }

    [Fact]
    public void ExportSettings_should_let_explicit_options_win_over_the_config()
    {
        var settings = ExportSettings.Resolve(new ExportOptions
        {
            OutputPath = "x",
            Config = ConfigurationFactory.ParseString("paralleldiff.pipeline { shard-max-entries = 11, parallelism = 3 }"),
            ShardMaxEntries = 1,
            Parallelism = 0,
            MaxShardsInFlight = 2,
            ActorThresholdEntries = 0,
        });

        Assert.Equal(1, settings.Walk.ShardMaxEntries);
        Assert.Equal(Environment.ProcessorCount, settings.Walk.Workers);
        Assert.Equal(2, settings.Walk.MaxShardsInFlight);
        Assert.Equal(0, settings.ActorThresholdEntries);
        Assert.Equal(8, settings.ShardBuffer);
    }

    [Fact]
    public void ExportSettings_should_refuse_values_that_cannot_run_a_walk()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ExportSettings.Resolve(new ExportOptions { OutputPath = "x", ShardMaxEntries = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ExportSettings.Resolve(new ExportOptions { OutputPath = "x", MaxShardsInFlight = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => ExportSettings.Resolve(new ExportOptions { OutputPath = "x", Parallelism = -1 }));
    }

    [Fact]
    public void ActorThreshold_should_read_what_Resolve_reads()
    {
        var configured = ConfigurationFactory.ParseString("paralleldiff.pipeline.actor-threshold-entries = 9");
        var other = ConfigurationFactory.ParseString("paralleldiff.pipeline.parallelism = 3");

        Assert.Equal(9, ExportSettings.ActorThreshold(new ExportOptions { OutputPath = "x", Config = configured }));
        Assert.Equal(256, ExportSettings.ActorThreshold(new ExportOptions { OutputPath = "x", Config = other }));
        Assert.Equal(256, ExportSettings.ActorThreshold(new ExportOptions { OutputPath = "x" }));
        Assert.Equal(0, ExportSettings.ActorThreshold(new ExportOptions { OutputPath = "x", Config = configured, ActorThresholdEntries = 0 }));
        foreach (var options in new[] { new ExportOptions { OutputPath = "x", Config = configured }, new ExportOptions { OutputPath = "x", Config = other } })
        {
            Assert.Equal(ExportSettings.Resolve(options).ActorThresholdEntries, ExportSettings.ActorThreshold(options));
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => ExportSettings.ActorThreshold(new ExportOptions { OutputPath = "x", ActorThresholdEntries = -1 }));
    }
}
