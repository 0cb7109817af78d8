using ParallelDiff.Core.Apply;
using Xunit;

namespace ParallelDiff.Core.Tests.Apply;

/// <summary>Whiteouts and opaque markers (OCI image-spec layer.md; containerd convertWhiteout).</summary>
public sealed class LayerApplierWhiteoutTests : ApplyFixture
{
    private void Lower(params string[] paths)
    {
        foreach (var p in paths)
        {
            if (p.EndsWith('/'))
            {
                Directory.CreateDirectory(At(p));
            }
            else
            {
                Directory.CreateDirectory(Path.GetDirectoryName(At(p))!);
                File.WriteAllText(At(p), "lower " + p);
            }
        }
    }

    [Fact]
    public void Whiteout_should_remove_a_file_and_a_whole_dir_tree()
    {
        Lower("a/file", "a/keep", "tree/x/y/z", "tree/w");
        var result = Apply(new TestTar().Dir("a/").Whiteout("a/.wh.file").Whiteout(".wh.tree"));
        Assert.Equal(["a/", "a/keep"], Tree());
        Assert.Equal(2, result.WhiteoutsApplied);
    }

    [Fact]
    public void Whiteout_of_a_missing_name_should_be_fine_and_write_nothing()
    {
        Apply(new TestTar().Whiteout(".wh.ghost").Whiteout("d/.wh.ghost"));
        Assert.Equal(["d/"], Tree());
    }

    [Fact]
    public void Whiteout_should_remove_a_symlink_not_its_target()
    {
        Lower("target/file");
        File.CreateSymbolicLink(At("link"), "target");
        Apply(new TestTar().Whiteout(".wh.link"));
        Assert.Equal(["target/", "target/file"], Tree());
    }

    [Fact]
    public void Whiteout_of_a_dotwh_name_should_hide_that_name()
    {
        // ".wh..wh.x" (other than the opaque marker) is the whiteout of ".wh.x".
        Lower(".wh.x", "x");
        Apply(new TestTar().Whiteout(".wh..wh.x"));
        Assert.Equal(["x"], Tree());
    }

    [Theory]
    [InlineData(".wh.")]
    [InlineData("d/.wh..")]
    public void Whiteout_of_the_dir_itself_or_its_parent_should_be_an_invalid_archive(string name)
    {
        Lower("d/file");
        var e = Assert.Throws<LayerApplyException>(() => Apply(new TestTar().Whiteout(name)));
        Assert.Contains("invalid", e.Message, StringComparison.Ordinal);
        Assert.Equal(["d/", "d/file"], Tree());
    }

    [Fact]
    public void Opaque_marker_should_prune_old_children_but_keep_this_layers()
    {
        Lower("o/old", "o/olddir/deep", "o/kept/old-inner", "o/kept/inner2/x", "sibling");
        Apply(new TestTar()
            .Dir("o/")
            .File("o/-early", "sorted before the marker")
            .Dir("o/kept/")
            .File("o/kept/new", "n")
            .Whiteout("o/.wh..wh..opq")
            .File("o/late", "after the marker"));
        Assert.Equal(["o/", "o/-early", "o/kept/", "o/kept/new", "o/late", "sibling"], Tree());
    }

    [Fact]
    public void Opaque_marker_should_keep_a_kept_symlink_and_not_descend_through_it()
    {
        Lower("o/old", "elsewhere/precious");
        Apply(new TestTar().Dir("o/").Symlink("o/l", "../elsewhere").Whiteout("o/.wh..wh..opq"));
        Assert.Equal(["elsewhere/", "elsewhere/precious", "o/", "o/l"], Tree());
    }

    [Fact]
    public void Opaque_marker_without_its_dir_should_create_the_dir_like_mkparent()
    {
        Apply(new TestTar().Whiteout("new/.wh..wh..opq"));
        Assert.Equal(["new/"], Tree());
    }

    [Fact]
    public void Opaque_marker_should_not_keep_entries_of_an_earlier_layer()
    {
        Apply(new TestTar().Dir("o/").File("o/from-layer-1", "1"));
        Apply(new TestTar().Dir("o/").File("o/from-layer-2", "2").Whiteout("o/.wh..wh..opq"));
        Assert.Equal(["o/", "o/from-layer-2"], Tree());
    }
}
