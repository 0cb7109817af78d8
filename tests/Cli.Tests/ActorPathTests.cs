using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>
/// The actor path in a real CLI process, which under run.sh test is the published paralleldiff-engine
/// (the front execs it for this path).
/// Akka finds types by name (from HOCON) and builds actors and stages by reflection: trimming or
/// native compilation can break exactly that while every small-upper test, which never starts an
/// actor system, still passes. The thresholds are set by --config so small trees take either path.
/// </summary>
public sealed class ActorPathTests : IDisposable
{
    /// <summary>--config settings that send every upper down the actor path.</summary>
    internal const string Actors = "paralleldiff.pipeline.actor-threshold-entries = 0";
    private const string Sequential = "paralleldiff.pipeline { actor-threshold-entries = 1000000, actor-threshold-bytes = 1 GiB }";

    private readonly SampleTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private CliRunner.Result Diff(string hocon, params string[] extra) => CliRunner.Run(
        ["diff", "--upper", _tree.Upper, "--lower", _tree.Lower, "-o", Path.Combine(_tree.Output, $"layer-{Guid.NewGuid():N}"), "--config", _tree.WriteConfig(hocon), .. extra]);

    [Fact]
    public void A_threshold_of_zero_should_take_the_actor_path()
    {
        // A setting only the actor path reads, made invalid: the run fails only if it went there.
        var broken = Diff(Actors + "\nparalleldiff.actors.shard-buffer = 0");
        Assert.Equal(1, broken.ExitCode);
        Assert.Contains("shard-buffer", broken.StdErr, StringComparison.Ordinal);

        var sequential = Diff(Sequential + "\nparalleldiff.actors.shard-buffer = 0");
        Assert.True(sequential.ExitCode == 0, sequential.StdErr);
    }

    [Theory]
    [InlineData("zstd")]
    [InlineData("gzip")]
    [InlineData("lz4")]
    [InlineData("none")]
    public void The_actor_path_should_write_the_bytes_of_the_sequential_path(string compression)
    {
        var sequential = Diff(Sequential, "--compression", compression);
        var actors = Diff(Actors, "--compression", compression);
        var actorsOneWorker = Diff(Actors, "--compression", compression, "--parallelism", "1");

        Assert.True(sequential.ExitCode == 0, sequential.StdErr);
        Assert.True(actors.ExitCode == 0, actors.StdErr);
        Assert.True(actorsOneWorker.ExitCode == 0, actorsOneWorker.StdErr);
        Assert.Contains("sha256:", sequential.StdOut, StringComparison.Ordinal);
        Assert.Equal(sequential.StdOut, actors.StdOut);
        Assert.Equal(sequential.StdOut, actorsOneWorker.StdOut);
    }

    [Fact]
    public void A_bulk_export_on_the_actor_path_should_store_the_layout_of_the_sequential_path()
    {
        using var farm = new SnapshotFarm(6);
        string[] Export(string layout, string hocon) =>
            ["export", "--jobs", farm.JobsFile, "--oci-layout", farm.At(layout), "--max-concurrent", "2", "--quiet", "--created", "none", "--config", _tree.WriteConfig(hocon)];

        var sequential = CliRunner.Run(Export("sequential", Sequential));
        var actors = CliRunner.Run(Export("actors", Actors));

        Assert.True(sequential.ExitCode == 0, sequential.StdErr);
        Assert.True(actors.ExitCode == 0, actors.StdErr);
        LayoutBytes.AssertEqual(farm.At("sequential"), farm.At("actors"));
    }

    [Fact]
    public void Image_on_the_actor_path_should_tag_the_image_of_the_sequential_path()
    {
        string[] Image(string layout, string hocon) =>
            ["image", "--upper", _tree.Upper, "--lower", _tree.Lower, "--oci-layout", Path.Combine(_tree.Output, layout), "--tag", "t", "--created", "none", "--config", _tree.WriteConfig(hocon)];

        var sequential = CliRunner.Run(Image("sequential", Sequential));
        var actors = CliRunner.Run(Image("actors", Actors));

        Assert.True(sequential.ExitCode == 0, sequential.StdErr);
        Assert.True(actors.ExitCode == 0, actors.StdErr);
        Assert.Equal(sequential.StdOut, actors.StdOut);
        LayoutBytes.AssertEqual(Path.Combine(_tree.Output, "sequential"), Path.Combine(_tree.Output, "actors"));
    }
}
