using ParallelDiff.Core.Export;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Export;

/// <summary>
/// The stat print names a tree as it is: the same untouched tree prints the same, and every change a
/// layer would show (data, mode, owner, xattr, name, a file replaced) prints differently, even a
/// data change whose mtime was set back.
/// </summary>
public sealed class TreeStatPrintTests : IDisposable
{
    private readonly ScratchDirectory _dir = ScratchDirectory.Create("pd-statprint-");

    public TreeStatPrintTests()
    {
        Directory.CreateDirectory(Path.Combine(Tree, "etc", "app"));
        File.WriteAllText(Path.Combine(Tree, "etc", "app", "conf"), "a=1\n");
        File.WriteAllText(Path.Combine(Tree, "data"), "0123456789");
        File.CreateSymbolicLink(Path.Combine(Tree, "link"), "data");
    }

    private string Tree => Path.Combine(_dir.Path, "tree");

    public void Dispose() => _dir.Dispose();

    private string Print() => TreeStatPrint.Of(LinuxFileSystem.Instance, Tree);

    [Fact]
    public void An_untouched_tree_should_print_the_same_and_reading_it_changes_nothing()
    {
        var before = Print();
        _ = File.ReadAllText(Path.Combine(Tree, "data"));
        Assert.Equal(before, Print());
        Assert.StartsWith("sha256:", before, StringComparison.Ordinal);
    }

    [Fact]
    public void A_print_given_the_roots_status_by_its_resolver_should_equal_the_print_that_takes_its_own()
    {
        var root = SnapshotPaths.OpenCanonicalDirectory(Tree, "--upper", out var status, out var directory);
        try
        {
            Assert.True(directory >= 0);
            Assert.Equal(SnapshotPaths.CanonicalDirectory(Tree, "--upper"), root);
            Assert.Equal(Print(), TreeStatPrint.Of(LinuxFileSystem.Instance, root, status));

            // Listed through the descriptor its resolver opened, not opened again: the same print.
            Assert.Equal(Print(), TreeStatPrint.Of(LinuxFileSystem.Instance, root, status, rootDirectory: directory));
        }
        finally
        {
            Native.LibC.Close(directory);
        }

        File.SetUnixFileMode(Tree, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Assert.NotEqual(TreeStatPrint.Of(LinuxFileSystem.Instance, root, status), Print());
    }

    [Fact]
    public void Data_rewritten_in_place_with_its_mtime_set_back_should_print_differently()
    {
        var file = Path.Combine(Tree, "data");
        var mtime = File.GetLastWriteTimeUtc(file);
        var before = Print();
        Thread.Sleep(20);
        File.WriteAllText(file, "9876543210");
        File.SetLastWriteTimeUtc(file, mtime);
        Assert.Equal(mtime, File.GetLastWriteTimeUtc(file));
        Assert.NotEqual(before, Print());
    }

    [Fact]
    public void A_mode_change_deep_in_the_tree_should_print_differently()
    {
        var before = Print();
        File.SetUnixFileMode(Path.Combine(Tree, "etc", "app", "conf"), UnixFileMode.UserRead);
        Assert.NotEqual(before, Print());
    }

    [RootFact]
    public void An_xattr_change_should_print_differently()
    {
        var file = Path.Combine(Tree, "etc", "app", "conf");
        var set = ExternalCommand.Run("setfattr", "-n", "trusted.pd.note", "-v", "one", file);
        Assert.True(set.Succeeded, set.StandardError);
        var before = Print();
        Thread.Sleep(20);
        Assert.True(ExternalCommand.Run("setfattr", "-n", "trusted.pd.note", "-v", "two", file).Succeeded);
        Assert.NotEqual(before, Print());
    }

    [RootFact]
    public void The_roots_xattr_names_listed_through_its_descriptor_should_print_as_by_path()
    {
        var before = Print();
        Assert.True(ExternalCommand.Run("setfattr", "-n", "trusted.pd.root", "-v", "x", Tree).Succeeded);
        var root = SnapshotPaths.OpenCanonicalDirectory(Tree, "--upper", out var status, out var directory);
        try
        {
            Assert.Contains("trusted.pd.root", LinuxFileSystem.ListXattrsOf(directory, root));
            var throughDescriptor = TreeStatPrint.Of(LinuxFileSystem.Instance, root, status, rootDirectory: directory);
            Assert.Equal(Print(), throughDescriptor);
            Assert.NotEqual(before, throughDescriptor);
        }
        finally
        {
            Native.LibC.Close(directory);
        }
    }

    [Fact]
    public void A_file_replaced_by_a_rename_should_print_differently()
    {
        var before = Print();
        var replacement = Path.Combine(_dir.Path, "replacement");
        File.WriteAllText(replacement, "0123456789");
        File.SetLastWriteTimeUtc(replacement, File.GetLastWriteTimeUtc(Path.Combine(Tree, "data")));
        File.Move(replacement, Path.Combine(Tree, "data"), overwrite: true);
        Assert.NotEqual(before, Print());
    }

    [Fact]
    public void Keys_of_a_stack_should_change_for_the_layer_touched_and_every_layer_above_it()
    {
        var bottom = Path.Combine(_dir.Path, "bottom");
        var middle = Path.Combine(_dir.Path, "middle");
        Directory.CreateDirectory(bottom);
        Directory.CreateDirectory(middle);
        File.WriteAllText(Path.Combine(bottom, "b"), "b");
        File.WriteAllText(Path.Combine(middle, "m"), "m");
        var layers = ImageLayers.Of(Snapshot.OfOverlay(Tree, [middle, bottom]));
        IReadOnlyList<string> Keys(string settings = "zstd 3") => StoredLayerKeys.Of(LinuxFileSystem.Instance, layers, settings);

        var before = Keys();
        Assert.Equal(3, before.Count);
        Assert.Equal(3, before.Distinct().Count());
        Assert.Equal(before, Keys());
        Assert.All(Keys("gzip 6").Zip(before), pair => Assert.NotEqual(pair.First, pair.Second));

        File.WriteAllText(Path.Combine(middle, "m2"), "new");
        var after = Keys();
        Assert.Equal(before[0], after[0]);
        Assert.NotEqual(before[1], after[1]);
        Assert.NotEqual(before[2], after[2]);
    }

    [Fact]
    public void Subtrees_walked_by_other_threads_should_print_as_one_walk_does_and_still_see_changes()
    {
        // Directories with directories in them: handed to other threads from the first entry (0), after a few (3), or never.
        for (var a = 0; a < 4; a++)
        {
            for (var b = 0; b < 4; b++)
            {
                var deep = Directory.CreateDirectory(Path.Combine(Tree, $"a{a}", $"b{b}", "c", "d")).FullName;
                File.WriteAllText(Path.Combine(deep, "f"), $"{a}{b}");
                File.WriteAllText(Path.Combine(Tree, $"a{a}", $"b{b}", "g"), "x");
            }
        }

        var root = PathBytes.FromString(Tree);
        var one = TreeStatPrint.Of(LinuxFileSystem.Instance, root, forkAfter: int.MaxValue);
        Assert.Equal(one, TreeStatPrint.Of(LinuxFileSystem.Instance, root, forkAfter: 0));
        Assert.Equal(one, TreeStatPrint.Of(LinuxFileSystem.Instance, root, forkAfter: 3));
        Assert.Equal(one, Print());

        File.SetUnixFileMode(Path.Combine(Tree, "a3", "b2", "c", "d", "f"), UnixFileMode.UserRead);
        var changed = TreeStatPrint.Of(LinuxFileSystem.Instance, root, forkAfter: int.MaxValue);
        Assert.NotEqual(one, changed);
        Assert.Equal(changed, Print());
    }

    [Fact]
    public void A_deep_tree_should_print_the_same_through_descriptors_as_by_paths_and_see_changes_at_any_depth()
    {
        // Deeper than subdirectories are opened relative to their parent's descriptor, with a file at every level.
        var level = Tree;
        var levels = new List<string>();
        for (var i = 0; i < 24; i++)
        {
            level = Directory.CreateDirectory(Path.Combine(level, $"d{i}")).FullName;
            File.WriteAllText(Path.Combine(level, "f"), $"{i}");
            levels.Add(level);
        }

        var root = PathBytes.FromString(Tree);
        // A stand-in that is not LinuxFileSystem lists every directory by its path.
        var byPaths = new FailingListing(LinuxFileSystem.Instance, PathBytes.FromString("/nothing/fails"));
        var print = TreeStatPrint.Of(LinuxFileSystem.Instance, root, forkAfter: int.MaxValue);
        Assert.Equal(TreeStatPrint.Of(byPaths, root, forkAfter: int.MaxValue), print);
        Assert.Equal(print, Print());

        foreach (var depth in new[] { 2, 20 })
        {
            File.SetUnixFileMode(Path.Combine(levels[depth], "f"), UnixFileMode.UserRead);
            var changed = TreeStatPrint.Of(LinuxFileSystem.Instance, root, forkAfter: int.MaxValue);
            Assert.NotEqual(print, changed);
            Assert.Equal(TreeStatPrint.Of(byPaths, root, forkAfter: int.MaxValue), changed);
            print = changed;
        }
    }

    [Fact]
    public void A_subtree_that_cannot_be_walked_by_another_thread_should_fail_the_print()
    {
        var deep = Directory.CreateDirectory(Path.Combine(Tree, "a", "b", "c")).FullName;
        Directory.CreateDirectory(Path.Combine(Tree, "a", "b", "c2"));
        var failing = new FailingListing(LinuxFileSystem.Instance, PathBytes.FromString(deep));
        var e = Assert.Throws<FsException>(() => TreeStatPrint.Of(failing, PathBytes.FromString(Tree), forkAfter: 0));
        Assert.Contains("a/b/c", e.Message, StringComparison.Ordinal);
    }

    /// <summary>The file system, but listing one directory fails as a vanished one does.</summary>
    private sealed class FailingListing(IFileSystem inner, byte[] failing) : IFileSystem
    {
        public List<DirEntry> ListDirectory(ReadOnlySpan<byte> path, bool withXattrNames) =>
            path.SequenceEqual(failing) ? throw new FsException("open", PathBytes.Display(path), 2) : inner.ListDirectory(path, withXattrNames);

        public bool TryLstat(ReadOnlySpan<byte> path, out FileStatus status, out int errno) => inner.TryLstat(path, out status, out errno);

        public List<byte[]> ReadDirectory(ReadOnlySpan<byte> path) => inner.ReadDirectory(path);

        public byte[]? GetXattr(ReadOnlySpan<byte> path, string name) => inner.GetXattr(path, name);

        public List<string> ListXattrs(ReadOnlySpan<byte> path) => inner.ListXattrs(path);

        public byte[] ReadLink(ReadOnlySpan<byte> path) => inner.ReadLink(path);

        public Microsoft.Win32.SafeHandles.SafeFileHandle OpenRead(ReadOnlySpan<byte> path) => inner.OpenRead(path);
    }
}
