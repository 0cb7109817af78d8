using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Sources;
using Xunit;

namespace ParallelDiff.Core.Tests.Sources;

/// <summary>containerd's mount JSON in the two shapes its overlay snapshotter hands out (spec §2.2).</summary>
public sealed class ContainerdMountTests
{
    private const string Overlay = """
        [{"type":"overlay","source":"overlay","target":"","options":[
          "index=off","workdir=/var/lib/containerd/snapshots/12/work","upperdir=/var/lib/containerd/snapshots/12/fs",
          "lowerdir=/var/lib/containerd/snapshots/11/fs:/var/lib/containerd/snapshots/3/fs"]}]
        """;

    [Fact]
    public void An_overlay_mount_should_be_its_upperdir_over_its_lowers()
    {
        var snapshot = ContainerdMount.Load(Overlay, "mounts.json");

        Assert.Equal("/var/lib/containerd/snapshots/12/fs", snapshot.Upper);
        Assert.Equal(["/var/lib/containerd/snapshots/11/fs", "/var/lib/containerd/snapshots/3/fs"], snapshot.Lowers.Select(l => l.Path));
        Assert.Null(ContainerdMount.Parse(Overlay, "mounts.json").BuildKitCompatibility);
    }

    [Fact]
    public void A_bind_mount_should_be_a_bottom_most_snapshot()
    {
        var json = """[{"type":"bind","source":"/var/lib/containerd/snapshots/1/fs","options":["ro","rbind"]}]""";

        var snapshot = ContainerdMount.Load(json, "stdin");

        Assert.Equal("/var/lib/containerd/snapshots/1/fs", snapshot.Upper);
        Assert.Empty(snapshot.Lowers);
        Assert.Null(ContainerdMount.Parse(json, "stdin").BuildKitCompatibility);
    }

    [Fact]
    public void Userxattr_should_reach_the_snapshot_and_field_names_match_without_case()
    {
        var json = """[{"Type":"overlay","Source":"overlay","Options":["userxattr","lowerdir=/l","upperdir=/u","workdir=/w"]}]""";

        var snapshot = ContainerdMount.Load(json, "stdin");

        Assert.Equal(OverlayOptions.ForUserXattr, snapshot.Overlay);
    }

    [Fact]
    public void Mount_flags_should_be_left_to_mount2_and_only_trouble_BuildKit()
    {
        var json = """[{"type":"overlay","source":"overlay","options":["nosuid","nodev","lowerdir=/l","upperdir=/u\\,v","workdir=/w"]}]""";
        var mount = ContainerdMount.Parse(json, "stdin");

        Assert.Equal("/u,v", mount.ToSnapshot("stdin").Upper);
        Assert.Contains("\"nosuid\"", mount.BuildKitCompatibility, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("""{"type":"bind","source":"/x"}""", "expected a JSON list")]
    [InlineData("[]", "0 mounts")]
    [InlineData("""[{"type":"bind","source":"/a"},{"type":"bind","source":"/b"}]""", "2 mounts")]
    [InlineData("[42]", "must be a JSON object")]
    [InlineData("""[{"source":"/x"}]""", "needs \"type\" and \"source\"")]
    [InlineData("""[{"type":"bind","source":7}]""", "\"source\" must be a string")]
    [InlineData("""[{"type":"overlay","source":"overlay","options":"lowerdir=/a"}]""", "list of strings")]
    [InlineData("""[{"type":"overlay","source":"overlay","options":[1]}]""", "list of strings")]
    [InlineData("""[{"type":"tmpfs","source":"tmpfs"}]""", "type \"tmpfs\"")]
    [InlineData("""[{"type":"bind","source":"relative/fs"}]""", "not an absolute path")]
    [InlineData("""[{"type":"overlay","source":"overlay","options":["lowerdir=/a:/b"]}]""", "no upperdir")]
    [InlineData("""[{"type":"overlay","source":"overlay","options":["lowerdir=/a","upperdir=/u","workdir=/w","index=on"]}]""", "index=on")]
    [InlineData("""[{"type":"overlay","source":"overlay","options":["lowerdir=/a","upperdir=/u","workdir=/w","uidmap=0:1000:65536"]}]""", "idmapped")]
    public void Mounts_that_cannot_be_diffed_should_be_errors_naming_the_input(string json, string cause)
    {
        var e = Assert.Throws<SnapshotException>(() => ContainerdMount.Load(json, "mounts.json"));

        Assert.StartsWith("mounts.json: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(cause, e.Message, StringComparison.Ordinal);
    }
}
