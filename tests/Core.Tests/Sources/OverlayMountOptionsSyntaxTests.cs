using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Sources;
using Xunit;

namespace ParallelDiff.Core.Tests.Sources;

/// <summary>The lexical rules of the legacy data string (params.c; spec §7.1), checked without a kernel.</summary>
public sealed class OverlayMountOptionsSyntaxTests
{
    private const string Upper = ",upperdir=/u,workdir=/w";

    private static List<(string Path, bool DataOnly)> Layers(OverlayMountOptions o) => o.Lowers.Select(l => (l.Path, l.DataOnly)).ToList();

    [Fact]
    public void Lowerdir_should_list_layers_top_first()
    {
        var o = OverlayMountOptions.Parse("lowerdir=/a:/b:/c" + Upper);

        Assert.Equal([("/a", false), ("/b", false), ("/c", false)], Layers(o));
        Assert.Equal("/u", o.UpperDir);
        Assert.Equal("/w", o.WorkDir);
    }

    [Fact]
    public void Backslash_should_escape_colons_commas_and_itself_in_every_path()
    {
        var o = OverlayMountOptions.Parse(@"lowerdir=/a\:b:/c\,d:/e\\f:/g\h,upperdir=/u\,v\:w,workdir=/w\\x");

        Assert.Equal([("/a:b", false), ("/c,d", false), (@"/e\f", false), ("/gh", false)], Layers(o));
        Assert.Equal("/u,v:w", o.UpperDir);
        Assert.Equal(@"/w\x", o.WorkDir);
    }

    [Fact]
    public void A_final_lone_backslash_should_disappear()
    {
        var o = OverlayMountOptions.Parse(@"upperdir=/u,workdir=/w,lowerdir=/a:/b\");

        Assert.Equal([("/a", false), ("/b", false)], Layers(o));
    }

    [Fact]
    public void A_backslash_before_a_comma_should_keep_the_comma_in_the_option()
    {
        var o = OverlayMountOptions.Parse(@"lowerdir=/a:/b\,upperdir=/x,upperdir=/u,workdir=/w");

        Assert.Equal([("/a", false), ("/b,upperdir=/x", false)], Layers(o));
        Assert.Equal("/u", o.UpperDir);
    }

    [Fact]
    public void Double_colon_should_make_every_following_layer_data_only()
    {
        var o = OverlayMountOptions.Parse("lowerdir=/a:/b::/c::/d" + Upper);

        Assert.Equal([("/a", false), ("/b", false), ("/c", true), ("/d", true)], Layers(o));
    }

    [Fact]
    public void An_escaped_colon_should_not_count_towards_a_double_colon()
    {
        var o = OverlayMountOptions.Parse(@"lowerdir=/a\::/b" + Upper);

        Assert.Equal([("/a:", false), ("/b", false)], Layers(o));
    }

    [Theory]
    [InlineData(":/a", "cannot append")]
    [InlineData("::/a", "cannot append")]
    [InlineData("/a:", "ends with an unescaped ':'")]
    [InlineData("/a::", "ends with an unescaped ':'")]
    [InlineData("/a:::/b", "more than two consecutive")]
    [InlineData("/a::::/b", "more than two consecutive")]
    [InlineData("/a::/b:/c", "a regular layer follows data-only layers")]
    [InlineData(@"/a:\", "empty")]
    public void Lowerdir_should_refuse_what_the_kernel_refuses(string lowerdir, string cause)
    {
        var e = Assert.Throws<SnapshotException>(() => OverlayMountOptions.Parse("upperdir=/u,workdir=/w,lowerdir=" + lowerdir));

        Assert.Contains(cause, e.Message, StringComparison.Ordinal);
        Assert.Contains("lowerdir=" + lowerdir, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lowerdir_plus_and_datadir_plus_should_append_one_unescaped_layer_each()
    {
        var o = OverlayMountOptions.Parse(@"lowerdir+=/a,lowerdir+=/b\:c,datadir+=/d,datadir+=/e" + Upper);

        Assert.Equal([("/a", false), (@"/b\:c", false), ("/d", true), ("/e", true)], Layers(o));
    }

    [Fact]
    public void A_later_lowerdir_should_replace_every_earlier_lower()
    {
        Assert.Equal([("/c", false), ("/d", false)], Layers(OverlayMountOptions.Parse("lowerdir+=/a,datadir+=/b,lowerdir=/c:/d" + Upper)));
        Assert.Equal([("/c", false)], Layers(OverlayMountOptions.Parse("lowerdir=/a:/b,lowerdir=/c" + Upper)));
    }

    [Fact]
    public void An_empty_lowerdir_should_clear_the_lowers_and_allow_lowerdir_plus()
    {
        var o = OverlayMountOptions.Parse("lowerdir=/a,lowerdir=,lowerdir+=/b,lowerdir+=/c" + Upper);

        Assert.Equal([("/b", false), ("/c", false)], Layers(o));
    }

    [Theory]
    [InlineData("lowerdir=/a,lowerdir+=/b", "cannot follow a lowerdir=")]
    [InlineData("lowerdir=/a,datadir+=/b", "cannot follow a lowerdir=")]
    [InlineData("lowerdir+=/a,datadir+=/b,lowerdir+=/c", "cannot follow a datadir+")]
    [InlineData("lowerdir+=", "needs a path")]
    [InlineData("lowerdir+=/a,datadir+=", "needs a path")]
    public void Lowerdir_plus_should_refuse_what_the_kernel_refuses(string options, string cause)
    {
        var e = Assert.Throws<SnapshotException>(() => OverlayMountOptions.Parse(options + Upper));

        Assert.Contains(cause, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_last_occurrence_of_an_option_should_win()
    {
        var o = OverlayMountOptions.Parse("lowerdir=/a,upperdir=/u1,workdir=/w1,upperdir=/u2,workdir=/w2,index=on,index=off,metacopy=on,metacopy=off,redirect_dir=on,redirect_dir=nofollow");

        Assert.Equal("/u2", o.UpperDir);
        Assert.Equal("/w2", o.WorkDir);
        Assert.False(o.Index);
        Assert.False(o.Metacopy);
        Assert.Equal(OverlayRedirectMode.NoFollow, o.RedirectMode);
    }

    [Fact]
    public void Empty_options_options_without_a_key_and_superblock_flags_should_be_ignored()
    {
        var o = OverlayMountOptions.Parse("ro,,lowerdir=/a,=x,rw,sync,dirsync,lazytime,mand,nomand,async,nolazytime" + Upper);

        Assert.Equal([("/a", false)], Layers(o));
    }

    [Fact]
    public void Flags_and_settings_that_do_not_change_a_layer_should_be_accepted()
    {
        var o = OverlayMountOptions.Parse("lowerdir=/a" + Upper + ",default_permissions,xino=auto,uuid=null,verity=on,override_creds,nooverride_creds,fsync=strict");

        Assert.False(o.Volatile);
        Assert.False(o.Metacopy);
    }

    [Theory]
    [InlineData("volatile", true)]
    [InlineData("fsync=volatile", true)]
    [InlineData("volatile,fsync=auto", false)]
    [InlineData("volatile,fsync=strict", false)]
    public void Volatile_should_follow_the_last_of_volatile_and_fsync(string options, bool expected) =>
        Assert.Equal(expected, OverlayMountOptions.Parse("lowerdir=/a" + Upper + "," + options).Volatile);

    [Theory]
    [InlineData("nodev", "Unknown parameter 'nodev'")]
    [InlineData("noatime", "Unknown parameter 'noatime'")]
    [InlineData("foo=bar", "Unknown parameter 'foo'")]
    [InlineData("source=x", "Unknown parameter 'source'")]
    [InlineData("userxattr=1", "takes no value")]
    [InlineData("volatile=on", "takes no value")]
    [InlineData("index", "on|off")]
    [InlineData("index=true", "on|off")]
    [InlineData("metacopy=", "on|off")]
    [InlineData("redirect_dir=maybe", "on|follow|nofollow|off")]
    [InlineData("xino=yes", "off|auto|on")]
    [InlineData("uuid=random", "off|null|auto|on")]
    [InlineData("verity=off2", "off|on|require")]
    [InlineData("fsync=bogus", "auto|strict|volatile")]
    [InlineData("upperdir=", "needs a path")]
    [InlineData("workdir", "needs a path")]
    [InlineData("lowerdir", "needs a path")]
    [InlineData("uidmap=0:1000:1", "idmapped")]
    [InlineData("gidmap=0:1000:1", "idmapped")]
    public void Options_the_kernel_refuses_should_be_errors_naming_the_option(string option, string cause)
    {
        var e = Assert.Throws<SnapshotException>(() => OverlayMountOptions.Parse("lowerdir=/a" + Upper + "," + option));

        Assert.Contains(cause, e.Message, StringComparison.Ordinal);
        Assert.Contains(option, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("upperdir=/u,workdir=/w", "missing 'lowerdir'")]
    [InlineData("lowerdir=,upperdir=/u,workdir=/w", "missing 'lowerdir'")]
    [InlineData("lowerdir=/a,upperdir=/u", "missing 'workdir'")]
    [InlineData("lowerdir=/a", "at least two lower layers")]
    [InlineData("lowerdir=/a,workdir=/w", "at least two lower layers")]
    public void A_mount_missing_a_directory_should_be_an_error(string options, string cause)
    {
        var e = Assert.Throws<SnapshotException>(() => OverlayMountOptions.Parse(options));

        Assert.Contains(cause, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_an_upperdir_the_workdir_should_be_ignored()
    {
        var o = OverlayMountOptions.Parse("lowerdir=/a:/b,workdir=/w");

        Assert.Null(o.UpperDir);
        Assert.Null(o.WorkDir);
    }

    [Fact]
    public void More_than_500_lowers_should_be_an_error()
    {
        var ok = "lowerdir=" + string.Join(':', Enumerable.Range(0, 500).Select(i => "/l" + i)) + Upper;
        var tooMany = "lowerdir=" + string.Join(':', Enumerable.Range(0, 501).Select(i => "/l" + i)) + Upper;

        Assert.Equal(500, OverlayMountOptions.Parse(ok).Lowers.Count);
        Assert.Contains("more than 500", Assert.Throws<SnapshotException>(() => OverlayMountOptions.Parse(tooMany)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_list_of_options_should_not_be_split_on_commas_again()
    {
        var o = OverlayMountOptions.Parse(["lowerdir=/a,b:/c", "upperdir=/u", "workdir=/w"]);

        Assert.Equal([("/a,b", false), ("/c", false)], Layers(o));
    }
}
