using ParallelDiff.Core.Apply;
using ParallelDiff.Core.Fs;
using Xunit;

namespace ParallelDiff.Core.Tests.Apply;

/// <summary>
/// Every way a hostile layer could try to reach outside the destination. Names that are
/// absolute or climb out are refused; symlinks (in the tree or planted by the layer) are
/// followed only inside the destination. The sentinel directory beside it must stay as it was.
/// </summary>
public sealed class LayerApplierEscapeTests : ApplyFixture
{
    [Theory]
    [InlineData("../x")]
    [InlineData("../outside/sentinel")]
    [InlineData("/abs")]
    [InlineData("/")]
    [InlineData("a/../../x")]
    [InlineData("./a/./../../outside/new")]
    [InlineData("../.wh.outside")]
    [InlineData("../outside/.wh.sentinel")]
    [InlineData("../outside/.wh..wh..opq")]
    public void Apply_should_refuse_names_that_leave_the_root(string name)
    {
        var e = Assert.Throws<LayerApplyException>(() => Apply(new TestTar().File("before", "b").File(name, "evil")));
        Assert.Equal(name, e.EntryName);
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
        Assert.Equal(["before"], Tree());
        AssertOutsideUntouched();
    }

    [Theory]
    [InlineData("/")]
    [InlineData("../..")]
    [InlineData("../outside")]
    [InlineData("/../../..")]
    public void Apply_should_keep_a_symlink_in_the_tree_inside_the_root(string target)
    {
        File.CreateSymbolicLink(At("link"), target);
        Apply(new TestTar().File("link/x", "x").File("link/outside/sentinel", "evil").Dir("link/d/"));
        AssertOutsideUntouched();
        Assert.True(Exists("link"));
        Assert.Equal(FileKind.Symlink, Lstat("link").Kind);
    }

    [Fact]
    public void Apply_should_confine_a_symlink_entry_followed_by_an_entry_through_it()
    {
        var outsideFromDest = Path.Combine("..", "outside");
        Apply(new TestTar()
            .Symlink("esc", outsideFromDest)
            .File("esc/sentinel", "evil")
            .Symlink("root", "/")
            .File("root/etc/passwd-from-layer", "confined")
            .Symlink("abs", Outside)
            .File("abs/new", "evil"));
        AssertOutsideUntouched();
        Assert.Equal("evil", Read("outside/sentinel"));
        Assert.Equal("confined", Read("etc/passwd-from-layer"));
        Assert.False(File.Exists("/etc/passwd-from-layer"));
        Assert.True(Exists(Outside.TrimStart('/') + "/new"));
    }

    [Theory]
    [InlineData("../outside/sentinel")]
    [InlineData("/etc/passwd")]
    [InlineData("a/../../outside/sentinel")]
    [InlineData("..")]
    [InlineData(".")]
    public void Apply_should_refuse_a_hard_link_whose_target_leaves_the_root(string target)
    {
        var e = Assert.Throws<LayerApplyException>(() => Apply(new TestTar().HardLink("h", target)));
        Assert.Equal("h", e.EntryName);
        Assert.False(Exists("h"));
        AssertOutsideUntouched();
    }

    [Fact]
    public void Apply_should_resolve_a_hard_link_target_through_symlinks_inside_the_root()
    {
        File.CreateSymbolicLink(At("up"), "../outside");
        File.CreateSymbolicLink(At("slash"), "/");
        var sentinelLinks = LinuxFileSystem.Instance.TryLstat(System.Text.Encoding.UTF8.GetBytes(Path.Combine(Outside, "sentinel")), out var before, out _) ? before.LinkCount : 0UL;

        Assert.Throws<LayerApplyException>(() => Apply(new TestTar().HardLink("h1", "up/sentinel")));
        Assert.Throws<LayerApplyException>(() => Apply(new TestTar().HardLink("h2", "slash/etc/passwd")));
        Assert.False(Exists("h1"));
        Assert.False(Exists("h2"));
        Assert.True(LinuxFileSystem.Instance.TryLstat(System.Text.Encoding.UTF8.GetBytes(Path.Combine(Outside, "sentinel")), out var after, out _));
        Assert.Equal(sentinelLinks, after.LinkCount);
        AssertOutsideUntouched();
    }

    [Fact]
    public void Apply_should_remove_only_inside_the_root_when_a_whiteout_goes_through_a_symlink()
    {
        File.CreateSymbolicLink(At("up"), "../outside");
        Apply(new TestTar().Whiteout("up/.wh.sentinel").Whiteout("up/.wh..wh..opq"));
        AssertOutsideUntouched();
    }

    [Fact]
    public void Apply_should_not_write_through_a_symlink_planted_as_the_entry_name()
    {
        // A symlink entry, then a file entry with the same name: the file replaces the link.
        Apply(new TestTar().Symlink("s", Path.Combine(Outside, "sentinel")).File("s", "mine"));
        Assert.Equal(FileKind.Regular, Lstat("s").Kind);
        AssertOutsideUntouched();
    }
}
