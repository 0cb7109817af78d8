using Akka.Actor;
using Akka.Configuration;
using ParallelDiff.Actors.Tests.Support;
using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Layers;
using Xunit;
using Xunit.Abstractions;

namespace ParallelDiff.Actors.Tests.Export;

/// <summary>An engine in a host's own actor system: it exports there, and leaves the system running when disposed.</summary>
public sealed class HostSystemTests : WalkTestKit
{
    public HostSystemTests(ITestOutputHelper output) : base(output)
    {
    }

    [Fact]
    public async Task ExportEngine_should_export_in_a_host_system_and_leave_it_running()
    {
        using var snapshot = GeneratedSnapshot.Create(topDirectories: 6);
        using var output = new OutputDirectory();
        var options = new ExportOptions { OutputPath = output.File("layer"), Compression = CompressionSettings.None, ActorThresholdEntries = 0 };
        var expected = SequentialLayerExporter.Export(snapshot.Snapshot, LayerOptions.Default, CompressionSettings.None, output.File("expected"), _ => { }, default);

        var engine = new ExportEngine(Sys);
        var result = await engine.ExportAsync(snapshot.Snapshot, options);
        await engine.DisposeAsync();

        Assert.Equal(expected.Descriptor, result.Descriptor);
        Assert.False(Sys.WhenTerminated.IsCompleted);
    }

    [Fact]
    public async Task ExportEngine_should_refuse_a_host_system_without_the_walk_dispatcher()
    {
        var bare = ActorSystem.Create("bare", Config.Empty);
        try
        {
            var refused = Assert.Throws<ConfigurationException>(() => new ExportEngine(bare));
            Assert.Contains("ActorsConfig.Reference", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            await bare.Terminate();
        }
    }
}
