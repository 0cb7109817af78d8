using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Sources;
using Xunit;

namespace ParallelDiff.Core.Tests.Sources;

/// <summary>mountinfo lines in the shapes the kernel prints (proc_pid_mountinfo(5), ovl_show_options).</summary>
public sealed class MountInfoTests
{
    private const string Root = "25 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda rw";

    // A containerd overlay as a 6.x kernel prints it: optional fields, "rw" first, uuid=on.
    private const string Containerd =
        "1051 1043 0:154 / /run/containerd/io.containerd.runtime.v2.task/default/web/rootfs rw,relatime shared:512 master:7 - overlay overlay "
        + "rw,lowerdir=/var/lib/containerd/snapshots/9/fs:/var/lib/containerd/snapshots/8/fs,upperdir=/var/lib/containerd/snapshots/10/fs,"
        + "workdir=/var/lib/containerd/snapshots/10/work,uuid=on";

    private static string Table(params string[] lines) => string.Join('\n', lines) + "\n";

    [Fact]
    public void A_containerd_overlay_line_should_become_its_snapshot()
    {
        var snapshot = MountInfo.Load("/run/containerd/io.containerd.runtime.v2.task/default/web/rootfs", Table(Root, Containerd), "test");

        Assert.Equal("/var/lib/containerd/snapshots/10/fs", snapshot.Upper);
        Assert.Equal(["/var/lib/containerd/snapshots/9/fs", "/var/lib/containerd/snapshots/8/fs"], snapshot.Lowers.Select(l => l.Path));
    }

    [Fact]
    public void Every_field_should_be_read()
    {
        var entry = MountInfo.ParseTable(Table(Root, Containerd), "test")[1];

        Assert.Equal(1051, entry.MountId);
        Assert.Equal(1043, entry.ParentId);
        Assert.Equal("0:154", entry.Device);
        Assert.Equal("/", entry.Root);
        Assert.Equal("rw,relatime", entry.MountOptions);
        Assert.Equal(["shared:512", "master:7"], entry.OptionalFields);
        Assert.Equal("overlay", entry.FsType);
        Assert.Equal("overlay", entry.Source);
        Assert.Equal("rw", entry.SuperOptions[0]);
        Assert.Equal("uuid=on", entry.SuperOptions[^1]);
    }

    [Theory]
    [InlineData(@"a\040b", "a b")]
    [InlineData(@"a\011b\012c", "a\tb\nc")]
    [InlineData(@"a\134b", @"a\b")]
    [InlineData(@"a\072b", "a:b")]
    [InlineData(@"\303\251t\303\251", "été")]
    [InlineData(@"a\8", @"a\8")]
    [InlineData(@"a\04", @"a\04")]
    [InlineData(@"a\", @"a\")]
    public void Octal_escapes_should_decode_to_bytes(string field, string expected) => Assert.Equal(expected, MountInfoEntry.Decode(field, "test"));

    [Fact]
    public void A_path_that_is_not_UTF8_should_be_an_error()
    {
        var e = Assert.Throws<SnapshotException>(() => MountInfoEntry.Decode(@"/x\377", "mi:3"));

        Assert.StartsWith("mi:3:", e.Message, StringComparison.Ordinal);
        Assert.Contains("not UTF-8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Escaped_spaces_backslashes_and_commas_should_decode_after_the_options_are_split()
    {
        // The kernel shows lowerdir= as given (its own '\' escapes included), then mangles ' ', '\', ',' and '='.
        var line = @"44 26 0:38 / /mnt/m\040n rw,relatime - overlay overlay rw,lowerdir=/t/co\134:lon:/t/sp\040ace:/t/c\134\054om,"
            + @"upperdir=/t/u\134\134x,workdir=/t/w\075v,uuid=on";

        var snapshot = MountInfo.Load("/mnt/m n", Table(Root, line), "test");

        Assert.Equal(["/t/co:lon", "/t/sp ace", "/t/c,om"], snapshot.Lowers.Select(l => l.Path));
        Assert.Equal(@"/t/u\x", snapshot.Upper);
    }

    [Fact]
    public void Lowerdir_plus_paths_should_be_taken_without_unescaping()
    {
        var line = @"44 26 0:38 / /m rw,relatime - overlay overlay rw,lowerdir+=/t/b\134sl,lowerdir+=/t/co:lon,datadir+=/t/d,upperdir=/t/u,workdir=/t/w,redirect_dir=on,metacopy=on";

        var snapshot = MountInfo.Load("/m", Table(line), "test");

        Assert.Equal([new OverlayLayer(@"/t/b\sl"), new OverlayLayer("/t/co:lon"), new OverlayLayer("/t/d", DataOnly: true)], snapshot.Lowers);
        Assert.True(snapshot.Overlay.Metacopy);
    }

    [Fact]
    public void The_last_of_stacked_mounts_should_be_the_one_found()
    {
        var under = "50 25 0:40 / /m rw - overlay overlay rw,lowerdir=/old1:/old2,upperdir=/old,workdir=/oldw";
        var top = "51 50 0:41 / /m rw - overlay overlay rw,lowerdir=/new1,upperdir=/new,workdir=/neww";

        Assert.Equal("/new", MountInfo.Load("/m/", Table(Root, under, top), "test").Upper);
    }

    [Fact]
    public void Options_printed_relative_to_module_defaults_should_use_them()
    {
        var line = "50 25 0:40 / /m rw - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w";
        var table = Table(line);

        Assert.Equal("/u", MountInfo.Load("/m", table, "test").Upper);
        var e = Assert.Throws<SnapshotException>(() => MountInfo.Load("/m", table, "test", new OverlayModuleDefaults { Index = true }));
        Assert.Contains("index=on", e.Message, StringComparison.Ordinal);
        Assert.StartsWith("test: /m:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_BuildKit_check_should_not_see_the_superblock_flags_the_kernel_prints()
    {
        var line = "50 25 0:40 / /m rw - overlay overlay rw,sync,lowerdir=/l,upperdir=/u,workdir=/w,userxattr";
        var entry = MountInfo.Find(MountInfo.ParseTable(line, "test"), "/m", "test");

        Assert.Null(MountInfo.ReadOverlay(entry, "test").BuildKitCompatibility);
    }

    [Theory]
    [InlineData("nothing is mounted at /elsewhere", "/elsewhere", Root)]
    [InlineData("is a ext4 mount, not a kernel overlay", "/", Root)]
    [InlineData("is a fuse.fuse-overlayfs mount", "/m", "60 25 0:50 / /m rw - fuse.fuse-overlayfs fuse-overlayfs rw,user_id=0")]
    [InlineData("a bind mount of a subtree", "/m", "60 25 0:50 /sub /m rw - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w")]
    [InlineData("relative path \"l2\"", "/m", "60 25 0:50 / /m rw - overlay overlay rw,lowerdir=/l:l2,upperdir=/u,workdir=/w")]
    [InlineData("no upperdir", "/m", "60 25 0:50 / /m rw - overlay overlay ro,lowerdir=/l1:/l2")]
    [InlineData("conflicting options userxattr and metacopy=on", "/m", "60 25 0:50 / /m rw - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w,metacopy=on,userxattr")]
    [InlineData("test:2: not a mountinfo line", "/m", Root + "\n60 25 0:50 / /m rw overlay overlay rw")]
    public void Mounts_that_cannot_be_diffed_should_be_errors_naming_the_input(string cause, string mountPoint, string table)
    {
        var e = Assert.Throws<SnapshotException>(() => MountInfo.Load(mountPoint, table, "test"));

        Assert.Contains(cause, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("test", e.Message, StringComparison.Ordinal);
    }
}
