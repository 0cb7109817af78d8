using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Sources;
using Xunit;

namespace ParallelDiff.Core.Tests.Sources;

/// <summary>Module defaults, the kernel's option dependencies (ovl_fs_params_verify) and what a diff refuses.</summary>
public sealed class OverlayMountOptionsRulesTests
{
    private const string Mount = "lowerdir=/a:/b,upperdir=/u,workdir=/w";

    private static OverlayMountOptions Parse(string extra, OverlayModuleDefaults? defaults = null) =>
        OverlayMountOptions.Parse(extra.Length == 0 ? Mount : Mount + "," + extra, defaults);

    private static string Refused(string extra, OverlayModuleDefaults? defaults = null) =>
        Assert.Throws<SnapshotException>(() => Parse(extra, defaults)).Message;

    [Fact]
    public void Defaults_should_follow_redirects_without_metacopy_or_index()
    {
        var o = Parse(string.Empty);

        Assert.Equal(OverlayRedirectMode.Follow, o.RedirectMode);
        Assert.False(o.Metacopy);
        Assert.False(o.Index);
        Assert.Equal(new OverlayOptions { UserXattr = false, RedirectFollow = true, Metacopy = false }, o.Overlay);
    }

    [Fact]
    public void Redirect_dir_off_should_follow_or_not_as_the_module_says()
    {
        Assert.Equal(OverlayRedirectMode.Follow, Parse("redirect_dir=off").RedirectMode);
        Assert.Equal(OverlayRedirectMode.NoFollow, Parse("redirect_dir=off", new OverlayModuleDefaults { RedirectAlwaysFollow = false }).RedirectMode);
        Assert.Equal(OverlayRedirectMode.On, Parse(string.Empty, new OverlayModuleDefaults { RedirectDir = true }).RedirectMode);
    }

    [Fact]
    public void Without_an_upper_follow_should_become_on()
    {
        Assert.Equal(OverlayRedirectMode.On, OverlayMountOptions.Parse("lowerdir=/a:/b").RedirectMode);
    }

    [Fact]
    public void Userxattr_should_force_nofollow_and_metacopy_off()
    {
        var o = Parse("userxattr", new OverlayModuleDefaults { Metacopy = true, RedirectDir = true });

        Assert.Equal(OverlayRedirectMode.NoFollow, o.RedirectMode);
        Assert.False(o.Metacopy);
        Assert.Equal(OverlayOptions.ForUserXattr, o.Overlay);
        Assert.Equal("user.overlay.", o.Overlay.XattrPrefix);
    }

    [Theory]
    [InlineData("userxattr,redirect_dir=nofollow")]
    [InlineData("redirect_dir=nofollow,userxattr")]
    [InlineData("userxattr,metacopy=off")]
    public void Userxattr_should_accept_settings_that_agree(string extra) => Assert.True(Parse(extra).UserXattr);

    [Theory]
    [InlineData("userxattr,redirect_dir=on", "userxattr and redirect_dir=on")]
    [InlineData("userxattr,redirect_dir=follow", "userxattr and redirect_dir=follow")]
    [InlineData("redirect_dir=off,userxattr", "userxattr and redirect_dir=follow")]
    [InlineData("userxattr,metacopy=on", "userxattr and metacopy=on")]
    public void Userxattr_should_refuse_explicit_conflicts(string extra, string cause) =>
        Assert.Contains(cause, Refused(extra), StringComparison.Ordinal);

    [Fact]
    public void Userxattr_with_redirect_dir_off_should_pass_when_the_module_does_not_always_follow()
    {
        var o = Parse("userxattr,redirect_dir=off", new OverlayModuleDefaults { RedirectAlwaysFollow = false });

        Assert.Equal(OverlayRedirectMode.NoFollow, o.RedirectMode);
    }

    [Fact]
    public void Metacopy_should_turn_redirects_on_unless_redirect_dir_was_given()
    {
        var o = Parse("metacopy=on");

        Assert.True(o.Metacopy);
        Assert.Equal(OverlayRedirectMode.On, o.RedirectMode);
        Assert.True(o.Overlay.Metacopy);
        Assert.True(o.Overlay.RedirectFollow);
    }

    [Theory]
    [InlineData("metacopy=on,redirect_dir=nofollow", "metacopy=on and redirect_dir=nofollow")]
    [InlineData("redirect_dir=nofollow,metacopy=on", "metacopy=on and redirect_dir=nofollow")]
    [InlineData("redirect_dir=follow,metacopy=on", "metacopy=on and redirect_dir=follow")]
    public void Metacopy_should_refuse_an_explicit_redirect_conflict(string extra, string cause) =>
        Assert.Contains(cause, Refused(extra), StringComparison.Ordinal);

    [Fact]
    public void An_explicit_redirect_dir_should_turn_the_module_metacopy_off()
    {
        var o = Parse("redirect_dir=nofollow", new OverlayModuleDefaults { Metacopy = true });

        Assert.False(o.Metacopy);
        Assert.Equal(OverlayRedirectMode.NoFollow, o.RedirectMode);
    }

    [Fact]
    public void Nfs_export_should_turn_index_on_unless_index_was_given()
    {
        var o = Parse("nfs_export=on");

        Assert.True(o.NfsExport);
        Assert.True(o.Index);
        Assert.Contains("nfs_export", o.IndexSource, StringComparison.Ordinal);
        Assert.False(Parse("index=off", new OverlayModuleDefaults { NfsExport = true }).NfsExport);
    }

    [Theory]
    [InlineData("nfs_export=on,index=off", "nfs_export=on and index=off")]
    [InlineData("index=off,nfs_export=on", "nfs_export=on and index=off")]
    [InlineData("nfs_export=on,metacopy=on", "nfs_export=on and metacopy=on")]
    public void Nfs_export_should_refuse_explicit_conflicts(string extra, string cause) =>
        Assert.Contains(cause, Refused(extra), StringComparison.Ordinal);

    [Fact]
    public void Nfs_export_and_metacopy_should_let_the_explicit_one_win()
    {
        var nfs = Parse("nfs_export=on", new OverlayModuleDefaults { Metacopy = true });
        var metacopy = Parse("metacopy=on", new OverlayModuleDefaults { NfsExport = true });

        Assert.False(nfs.Metacopy);
        Assert.True(nfs.NfsExport);
        Assert.True(metacopy.Metacopy);
        Assert.False(metacopy.NfsExport);
    }

    [Fact]
    public void Verity_should_not_imply_metacopy()
    {
        // Linux 6.18 mounts verity=on without metacopy; older params.c turned metacopy on.
        Assert.False(Parse("verity=on").Metacopy);
        Assert.False(Parse("verity=require,metacopy=off").Metacopy);
    }

    [Fact]
    public void ToSnapshot_should_carry_upper_lowers_and_effective_settings()
    {
        var snapshot = Parse("index=off,userxattr").ToSnapshot();

        Assert.Equal("/u", snapshot.Upper);
        Assert.Equal(["/a", "/b"], snapshot.Lowers.Select(l => l.Path));
        Assert.Equal(OverlayOptions.ForUserXattr, snapshot.Overlay);
    }

    [Fact]
    public void ToSnapshot_should_keep_data_only_layers()
    {
        var snapshot = OverlayMountOptions.Parse("lowerdir=/a::/d,upperdir=/u,workdir=/w,metacopy=on").ToSnapshot();

        Assert.Equal([new OverlayLayer("/a"), new OverlayLayer("/d", DataOnly: true)], snapshot.Lowers);
        Assert.True(snapshot.Overlay.Metacopy);
    }

    [Fact]
    public void ToSnapshot_should_refuse_a_mount_without_an_upper()
    {
        var e = Assert.Throws<SnapshotException>(() => OverlayMountOptions.Parse("lowerdir=/a:/b").ToSnapshot());

        Assert.Contains("no upperdir", e.Message, StringComparison.Ordinal);
        Assert.Contains("lowerdir=/a:/b", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("index=on", "given explicitly")]
    [InlineData("nfs_export=on", "implied by nfs_export=on")]
    public void ToSnapshot_should_refuse_index_on_and_say_why(string extra, string source)
    {
        var e = Assert.Throws<SnapshotException>(() => Parse(extra).ToSnapshot());

        Assert.Contains("index=on", e.Message, StringComparison.Ordinal);
        Assert.Contains(source, e.Message, StringComparison.Ordinal);
        Assert.Contains("hard links", e.Message, StringComparison.Ordinal);
        Assert.Contains("never appear in the upperdir", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToSnapshot_should_refuse_an_index_the_module_turns_on()
    {
        var defaults = new OverlayModuleDefaults { Index = true };

        var e = Assert.Throws<SnapshotException>(() => Parse(string.Empty, defaults).ToSnapshot());

        Assert.Contains("/sys/module/overlay/parameters/index", e.Message, StringComparison.Ordinal);
        Assert.False(Parse("index=off", defaults).Index);
    }

    [Fact]
    public void Module_defaults_should_be_read_from_Y_and_N_files_keeping_builtin_values_for_missing_ones()
    {
        var dir = Directory.CreateTempSubdirectory("pd-ovlparams-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "index"), "Y\n");
            File.WriteAllText(Path.Combine(dir.FullName, "redirect_always_follow"), "N\n");

            var defaults = OverlayModuleDefaults.FromSysfs(dir.FullName);

            Assert.Equal(OverlayModuleDefaults.Builtin with { Index = true, RedirectAlwaysFollow = false }, defaults);

            File.WriteAllText(Path.Combine(dir.FullName, "metacopy"), "maybe\n");
            var e = Assert.Throws<SnapshotException>(() => OverlayModuleDefaults.FromSysfs(dir.FullName));
            Assert.Contains("metacopy", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
