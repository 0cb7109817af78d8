using Akka.Actor;
using Akka.Configuration;
using Akka.Streams;
using Akka.Streams.Dsl;
using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Layers;
using ParallelDiff.Streams.Tests.Support;
using Xunit;

namespace ParallelDiff.Streams.Tests;

public sealed class PipelineSettingsTests
{
    [Fact]
    public void PipelineSettings_should_read_the_CLI_defaults_file_with_dispatchers_from_the_reference()
    {
        var settings = PipelineSettings.FromConfig(ConfigurationFactory.ParseString(File.ReadAllText(RepoFile("hocon/paralleldiff.conf"))));

        Assert.Equal(0, settings.Parallelism);
        Assert.Equal(Environment.ProcessorCount, settings.EffectiveParallelism);
        Assert.Equal(16L * 1024 * 1024, settings.ReadAheadBytes);
        Assert.Equal(4, settings.BlocksInFlight(CompressionSettings.DefaultBlockSize));
        Assert.Equal("paralleldiff.io-dispatcher", settings.IoDispatcher);
        Assert.Equal("paralleldiff.cpu-dispatcher", settings.CpuDispatcher);
    }

    [Fact]
    public void PipelineSettings_should_take_overrides_over_the_reference()
    {
        var settings = PipelineSettings.FromConfig(ConfigurationFactory.ParseString(
            "paralleldiff.pipeline { parallelism = 3, read-ahead-bytes = 10 MiB, cpu-dispatcher = my-cpu }"));

        Assert.Equal(3, settings.EffectiveParallelism);
        Assert.Equal(40, settings.BlocksInFlight(256 * 1024));
        Assert.Equal("my-cpu", settings.CpuDispatcher);
        Assert.Equal("paralleldiff.io-dispatcher", settings.IoDispatcher);
    }

    [Fact]
    public void PipelineSettings_should_reject_a_read_ahead_budget_of_nothing()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PipelineSettings.FromConfig(ConfigurationFactory.ParseString(
            "paralleldiff.pipeline { read-ahead-bytes = 0 }")));
    }

    [Fact]
    public void PipelineSettings_should_keep_two_blocks_in_flight_when_the_budget_holds_fewer()
    {
        var settings = PipelineSettings.Default with { ReadAheadBytes = 1024 };

        Assert.Equal(2, settings.BlocksInFlight(CompressionSettings.DefaultBlockSize));
    }

    [Fact]
    public void StreamsConfig_should_embed_a_commented_reference_with_both_dispatchers()
    {
        var reference = StreamsConfig.Reference;

        Assert.Equal("fork-join-executor", reference.GetString("paralleldiff.io-dispatcher.executor"));
        Assert.Equal("fork-join-executor", reference.GetString("paralleldiff.cpu-dispatcher.executor"));
        Assert.Equal(0, reference.GetInt("paralleldiff.pipeline.parallelism"));
    }

    [Fact]
    public async Task LayerPipeline_should_run_in_a_system_created_without_the_reference_config()
    {
        using var tree = new LayerTree();
        using var system = ActorSystem.Create("bare");
        var compression = CompressionSettings.For(LayerCompression.Lz4, blockSize: 256 * 1024);
        var output = Path.Combine(tree.Output, "bare.blob");

        var result = await LayerPipeline.RunAsync(Source.From(tree.Changes), tree.Parents, LayerTree.WriterOptions, compression,
            PipelineSettings.Default, output, system.Materializer(), CancellationToken.None);

        Assert.Equal(tree.Reference(compression).Descriptor, result.Descriptor);
        await system.Terminate();
    }

    private static string RepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"{relative} not found above {AppContext.BaseDirectory}");
    }
}
