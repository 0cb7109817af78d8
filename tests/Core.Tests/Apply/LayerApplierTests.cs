using ParallelDiff.Core.Apply;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Tar;
using Xunit;
using static ParallelDiff.Core.Tests.Apply.TestTar;

namespace ParallelDiff.Core.Tests.Apply;

/// <summary>Creating, replacing and merging entries (containerd applyNaive steps 9-12).</summary>
public sealed class LayerApplierTests : ApplyFixture
{
    [Fact]
    public void Apply_should_create_files_dirs_and_symlinks_with_their_modes()
    {
        var result = Apply(new TestTar()
            .Dir("etc/", "750")
            .File("etc/conf", "hello", "640")
            .File("run.sh", "#!/bin/sh\n", "4755")
            .Dir("tmp/", "1777")
            .Symlink("etc/link", "../run.sh"));

        Assert.Equal(["etc/", "etc/conf", "etc/link", "run.sh", "tmp/"], Tree());
        Assert.Equal("hello", Read("etc/conf"));
        Assert.Equal(Oct("750"), Lstat("etc").Mode);
        Assert.Equal(Oct("640"), Lstat("etc/conf").Mode);
        Assert.Equal(Oct("4755"), Lstat("run.sh").Mode);
        Assert.Equal(Oct("1777"), Lstat("tmp").Mode);
        Assert.Equal(FileKind.Symlink, Lstat("etc/link").Kind);
        Assert.Equal("../run.sh", new FileInfo(At("etc/link")).LinkTarget);
        Assert.Equal(5, result.EntriesApplied);
        Assert.Equal(15, result.Bytes);
        Assert.Empty(result.Warnings);
        AssertOutsideUntouched();
    }

    [Fact]
    public void Apply_should_create_missing_parents_with_mode_0755()
    {
        Apply(new TestTar().File("a/b/c/file", "x"));
        Assert.Equal(["a/", "a/b/", "a/b/c/", "a/b/c/file"], Tree());
        Assert.Equal(Oct("755"), Lstat("a/b").Mode);
    }

    [Fact]
    public void Apply_should_ignore_entries_that_name_the_root()
    {
        var result = Apply(new TestTar().Dir("./", "700").Dir("a/../", "700").File("f", "x"));
        Assert.Equal(2, result.EntriesIgnored);
        Assert.Equal(1, result.EntriesApplied);
        Assert.Equal(["f"], Tree());
    }

    [Fact]
    public void Apply_should_merge_a_dir_over_a_dir_keeping_its_children()
    {
        Directory.CreateDirectory(At("d/sub"));
        File.WriteAllText(At("d/old"), "old");
        Apply(new TestTar().Dir("d/", "700", mtime: 1_234_567_890).File("d/new", "new"));
        Assert.Equal(["d/", "d/new", "d/old", "d/sub/"], Tree());
        Assert.Equal(Oct("700"), Lstat("d").Mode);
        Assert.Equal(1_234_567_890, Lstat("d").MtimeSeconds);
    }

    [Fact]
    public void Apply_should_replace_a_dir_tree_by_a_file_and_a_file_by_a_dir()
    {
        Directory.CreateDirectory(At("d/sub/deeper"));
        File.WriteAllText(At("d/sub/deeper/f"), "x");
        File.WriteAllText(At("f"), "file");
        Apply(new TestTar().File("d", "now a file").Dir("f/").File("f/child", "c"));
        Assert.Equal(["d", "f/", "f/child"], Tree());
        Assert.Equal("now a file", Read("d"));
    }

    [Fact]
    public void Apply_should_replace_a_symlink_rather_than_write_through_it()
    {
        File.CreateSymbolicLink(At("link"), Path.Combine(Outside, "sentinel"));
        Apply(new TestTar().File("link", "replaced"));
        Assert.Equal(FileKind.Regular, Lstat("link").Kind);
        Assert.Equal("replaced", Read("link"));
        AssertOutsideUntouched();
    }

    [Fact]
    public void Apply_should_make_hard_links_share_an_inode()
    {
        Apply(new TestTar().File("a", "shared").HardLink("b", "a").Dir("d/").HardLink("d/c", "./d/../a"));
        Assert.Equal(Lstat("a").Inode, Lstat("b").Inode);
        Assert.Equal(Lstat("a").Inode, Lstat("d/c").Inode);
        Assert.Equal(3UL, Lstat("a").LinkCount);
    }

    [Fact]
    public void Apply_should_apply_names_longer_than_PATH_MAX_as_tar_xf_does()
    {
        // 45 components of 100 bytes: a 4,500-byte name, which one lookup refuses (ENAMETOOLONG).
        var deep = string.Join('/', Enumerable.Range(0, 45).Select(i => $"c{i:D3}".PadRight(100, 'x')));
        Apply(new TestTar().File(deep + "/f", "deep").HardLink(deep + "/g", deep + "/f").Symlink(deep + "/s", "f"));

        // .NET's own file APIs take whole paths too, so find(1), which walks with *at calls, looks.
        Assert.Equal(["f 2 4", "g 2 4", "s 1 1"], Find("-mindepth", "45", "-not", "-type", "d", "-printf", "%f %n %s\n"));
    }

    [Fact]
    public void Apply_should_fail_a_hard_link_to_a_missing_target_naming_the_entry()
    {
        var e = Assert.Throws<LayerApplyException>(() => Apply(new TestTar().HardLink("b", "missing")));
        Assert.Equal("b", e.EntryName);
        Assert.Equal(Errno.ENOENT, e.ErrorNumber);
    }

    [Fact]
    public void Apply_should_follow_a_symlinked_parent_inside_the_root()
    {
        // lib/x lands in usr/lib/x when lib -> usr/lib (fs.RootPath), and an absolute link is
        // taken from the root.
        Directory.CreateDirectory(At("usr/lib"));
        File.CreateSymbolicLink(At("lib"), "usr/lib");
        File.CreateSymbolicLink(At("abs"), "/usr");
        Apply(new TestTar().File("lib/x", "x").File("abs/y", "y"));
        Assert.Equal("x", Read("usr/lib/x"));
        Assert.Equal("y", Read("usr/y"));
        Assert.Equal(FileKind.Symlink, Lstat("lib").Kind);
    }

    [Fact]
    public void Apply_should_create_parents_where_a_dangling_symlink_points()
    {
        File.CreateSymbolicLink(At("opt"), "/srv/opt");
        Apply(new TestTar().File("opt/tool/bin", "b"));
        Assert.Equal("b", Read("srv/opt/tool/bin"));
    }

    [Fact]
    public void Apply_should_fail_when_a_parent_is_not_a_directory()
    {
        File.WriteAllText(At("file"), "x");
        var e = Assert.Throws<LayerApplyException>(() => Apply(new TestTar().File("file/child", "y")));
        Assert.Equal("file/child", e.EntryName);
        Assert.Equal(Errno.ENOTDIR, e.ErrorNumber);
    }

    [Fact]
    public void Apply_should_set_mtimes_and_bound_them_as_containerd_does()
    {
        Apply(new TestTar()
            .File("epoch", "e", mtime: 0)
            .File("normal", "n", mtime: 1_700_000_000)
            .File("minus", "m", mtime: -1)
            .File("min-1901", "m", mtime: -2_147_483_648)
            .File("y2242", "p", mtime: 8_589_934_592)
            .File("last", "l", mtime: 9_223_372_036)
            .File("y2300", "y", mtime: 10_413_792_000)
            .Dir("old-dir/", mtime: -100)
            .File("old-dir/child", "c", mtime: 1_700_000_000)
            .Symlink("sym", "normal"));
        Assert.Equal(0, Lstat("epoch").MtimeSeconds);
        Assert.Equal(1_700_000_000, Lstat("normal").MtimeSeconds);
        Assert.Equal(0, Lstat("minus").MtimeSeconds);
        Assert.Equal(0, Lstat("min-1901").MtimeSeconds);
        Assert.Equal(8_589_934_592, Lstat("y2242").MtimeSeconds);
        Assert.Equal(9_223_372_036, Lstat("last").MtimeSeconds);
        Assert.Equal(0, Lstat("y2300").MtimeSeconds);
        Assert.Equal(0, Lstat("old-dir").MtimeSeconds);
        Assert.Equal(1_600_000_000, Lstat("sym").MtimeSeconds);
    }

    [Fact]
    public void Apply_should_set_directory_times_after_their_children_are_created()
    {
        Apply(new TestTar().Dir("d/", mtime: 1_111_111_111).File("d/a", "a").Dir("d/e/", mtime: 1_222_222_222).File("d/e/b", "b").Whiteout("d/.wh.a"));
        Assert.Equal(1_111_111_111, Lstat("d").MtimeSeconds);
        Assert.Equal(1_222_222_222, Lstat("d/e").MtimeSeconds);
    }

    [Fact]
    public void Apply_should_round_trip_names_that_are_not_utf8()
    {
        byte[] dir = [(byte)'l', (byte)'a', (byte)'t', 0xE9, (byte)'n'];
        byte[] file = [.. dir, (byte)'/', (byte)'b', (byte)'a', (byte)'d', 0xFF, 0xFE];
        byte[] target = [0xFF, (byte)'-', (byte)'t'];
        Apply(new TestTar()
            .Add(new TestEntry([.. dir, (byte)'/'], TarEntryType.Directory) { Mode = Oct("755") })
            .Add(new TestEntry(file, TarEntryType.Regular) { Data = B("data") })
            .Add(new TestEntry(B("sym"), TarEntryType.Symlink) { LinkName = target }));
        Assert.Equal(FileKind.Directory, Lstat(dir).Kind);
        Assert.Equal(4, Lstat(file).Size);
        Assert.Equal(target, LinuxFileSystem.Instance.ReadLink(B(At("sym"))));
    }

    [Fact]
    public void Apply_should_refuse_unknown_entry_types_without_removing_what_is_there()
    {
        File.WriteAllText(At("keep"), "k");
        var e = Assert.Throws<LayerApplyException>(() => Apply(new TestTar().Add(new TestEntry(B("keep"), (TarEntryType)'7'))));
        Assert.Equal("keep", e.EntryName);
        Assert.Equal("k", Read("keep"));
    }

    [Fact]
    public void Apply_should_refuse_a_destination_that_is_not_a_directory()
    {
        File.WriteAllText(At("file"), "x");
        Assert.Throws<FsException>(() => LayerApplier.Apply(new TestTar().ToStream(), At("file"), Options));
        Assert.Throws<FsException>(() => LayerApplier.Apply(new TestTar().ToStream(), At("missing"), Options));
    }

    [Fact]
    public void Apply_should_create_fifos()
    {
        Apply(new TestTar().Add(new TestEntry(B("pipe"), TarEntryType.Fifo) { Mode = Oct("640") }));
        Assert.Equal(FileKind.Fifo, Lstat("pipe").Kind);
        Assert.Equal(Oct("640"), Lstat("pipe").Mode);
    }

    /// <summary>find(1) run in Dest, its output lines sorted.</summary>
    private List<string> Find(params string[] args)
    {
        using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("find", [".", .. args]) { WorkingDirectory = Dest, RedirectStandardOutput = true })!;
        var lines = p.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToList();
        p.WaitForExit();
        return lines;
    }
}
