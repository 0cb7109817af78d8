using ParallelDiff.Core.Export;
using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Export;

public sealed class SnapshotSourceTests : IDisposable
{
    private readonly ScratchDirectory _scratch = ScratchDirectory.Create("pd-source-");

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public void Each_form_should_resolve_to_the_same_upper_and_lowers()
    {
        var (upper, lower, work) = (_scratch.Subdirectory("u"), _scratch.Subdirectory("l"), _scratch.Subdirectory("w"));
        var expected = Snapshot.OfOverlay(upper, [lower]);
        Snapshot[] resolved =
        [
            new SnapshotSource { Upper = upper, Lowers = [lower] }.Resolve(),
            new SnapshotSource { MountOptions = $"lowerdir={lower},upperdir={upper},workdir={work}" }.Resolve(),
            new SnapshotSource { MountJson = $$"""[{"type":"overlay","source":"overlay","options":["lowerdir={{lower}}","upperdir={{upper}}","workdir={{work}}"]}]""" }.Resolve(),
            new SnapshotSource { MountJsonPath = "-" }.Resolve(() => $$"""[{"type":"overlay","source":"overlay","options":["upperdir={{upper}}","lowerdir={{lower}}","workdir={{work}}"]}]"""),
        ];
        foreach (var snapshot in resolved)
        {
            Assert.Equal(expected.Upper, snapshot.Upper);
            Assert.Equal(expected.Lowers, snapshot.Lowers);
        }
    }

    [Fact]
    public void Mount_options_errors_should_say_they_came_from_mount_options()
    {
        var e = Assert.Throws<SnapshotException>(() => new SnapshotSource { MountOptions = "lowerdir=/a,upperdir=/b,workdir=/c,index=on" }.Resolve());
        Assert.StartsWith("--mount-options: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("index=on", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mount_json_from_stdin_without_a_reader_should_fail_clearly()
    {
        var e = Assert.Throws<SnapshotException>(() => new SnapshotSource { MountJsonPath = "-" }.Resolve());
        Assert.Contains("no standard input", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_source_of_two_forms_should_not_resolve()
    {
        var source = new SnapshotSource { Upper = "/u", MountPoint = "/m" };
        Assert.Equal("--upper/--lower and --mountpoint are different inputs: give one of them", source.Conflict());
        Assert.Throws<InvalidOperationException>(() => source.Resolve());
    }

    [Fact]
    public void Describe_should_name_the_form_and_its_paths()
    {
        Assert.Equal("upper=/u lower=/a:/b", new SnapshotSource { Upper = "/u", Lowers = ["/a", "/b"] }.Describe());
        Assert.Equal("from=/a to=/b", new SnapshotSource { From = "/a", To = "/b" }.Describe());
        Assert.Equal("docker-layer=/d", new SnapshotSource { DockerLayer = "/d" }.Describe());
    }
}
