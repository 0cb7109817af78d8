using ParallelDiff.Core.Export;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Export;

/// <summary>
/// A small tree printed again from the paths an earlier walk saw (TreeStatPrint.OfKnown) prints
/// exactly as a walk does while its directories are unchanged, sees every change to an entry it
/// looks up, and gives up (null: walk) when any directory's names may have changed.
/// </summary>
public sealed class KnownTreePrintTests : IDisposable
{
    private readonly ScratchDirectory _dir = ScratchDirectory.Create("pd-knownprint-");

    public KnownTreePrintTests()
    {
        Directory.CreateDirectory(Path.Combine(Tree, "etc", "app"));
        Directory.CreateDirectory(Path.Combine(Tree, "srv"));
        File.WriteAllText(Path.Combine(Tree, "etc", "app", "conf"), "a=1\n");
        File.WriteAllText(Path.Combine(Tree, "etc", "hosts"), "127.0.0.1 localhost\n");
        File.WriteAllText(Path.Combine(Tree, "data"), "0123456789");
        File.CreateSymbolicLink(Path.Combine(Tree, "link"), "data");
    }

    private string Tree => Path.Combine(_dir.Path, "tree");

    public void Dispose() => _dir.Dispose();

    /// <summary>The full walk's print and the tree it saw, through the root's descriptor as a --cache key takes it.</summary>
    private (string Print, PrintedTree? Seen) Walk()
    {
        var root = SnapshotPaths.OpenCanonicalDirectory(Tree, "--upper", out var status, out var directory);
        try
        {
            var print = TreeStatPrint.Of(LinuxFileSystem.Instance, root, status, out _, out var seen, rootDirectory: directory);
            Assert.Equal(TreeStatPrint.Of(LinuxFileSystem.Instance, root, status), print);
            return (print, seen);
        }
        finally
        {
            Native.LibC.Close(directory);
        }
    }

    private string? Again(PrintedTree known)
    {
        var root = SnapshotPaths.OpenCanonicalDirectory(Tree, "--upper", out var status, out var directory);
        try
        {
            return TreeStatPrint.OfKnown(LinuxFileSystem.Instance, root, status, directory, known, out _);
        }
        finally
        {
            Native.LibC.Close(directory);
        }
    }

    [Fact]
    public void An_unchanged_tree_should_print_from_its_known_paths_exactly_as_a_walk_does()
    {
        var (print, seen) = Walk();
        Assert.NotNull(seen);
        // The root, etc, etc/app, etc/app/conf, etc/hosts, data, link, srv.
        Assert.Equal(8, seen!.Entries.Count);
        Assert.Equal(print, Again(seen));
        Assert.Equal(print, Again(PrintedTree.Parse(seen.ToBytes())!));
    }

    [Fact]
    public void A_file_changed_in_place_should_print_as_the_walk_of_the_changed_tree_does()
    {
        var (before, seen) = Walk();
        // Past the clock tick the walk saw: without fine-grained timestamps a change within it keeps the ctime.
        Thread.Sleep(20);
        var conf = Path.Combine(Tree, "etc", "app", "conf");
        var mtime = File.GetLastWriteTimeUtc(conf);
        File.WriteAllText(conf, "a=2\n");
        File.SetLastWriteTimeUtc(conf, mtime);

        var again = Again(seen!);
        Assert.NotNull(again);
        Assert.NotEqual(before, again);
        Assert.Equal(Walk().Print, again);
    }

    [Theory]
    [InlineData("added")]
    [InlineData("removed")]
    [InlineData("renamed")]
    [InlineData("directory replaced by a file")]
    [InlineData("root entry added")]
    public void A_directory_whose_names_may_have_changed_should_send_the_print_back_to_a_walk(string change)
    {
        var (before, seen) = Walk();
        Thread.Sleep(20);
        var app = Path.Combine(Tree, "etc", "app");
        switch (change)
        {
            case "added":
                File.WriteAllText(Path.Combine(app, "new"), "x");
                break;
            case "removed":
                File.Delete(Path.Combine(app, "conf"));
                break;
            case "renamed":
                File.Move(Path.Combine(app, "conf"), Path.Combine(app, "conf2"));
                break;
            case "directory replaced by a file":
                Directory.Delete(Path.Combine(Tree, "srv"));
                File.WriteAllText(Path.Combine(Tree, "srv"), "now a file");
                break;
            default:
                File.WriteAllText(Path.Combine(Tree, "zzz"), "x");
                break;
        }

        Assert.Null(Again(seen!));
        Assert.NotEqual(before, Walk().Print);
    }

    [Fact]
    public void A_tree_of_more_entries_than_kept_should_leave_no_known_paths()
    {
        for (var i = 0; i < PrintedTree.MostEntries; i++)
        {
            File.WriteAllText(Path.Combine(Tree, "srv", $"f{i:D3}"), "x");
        }

        Assert.Null(Walk().Seen);
    }

    [Fact]
    public void A_stored_tree_that_is_damaged_or_leaves_the_root_should_not_parse()
    {
        var (_, seen) = Walk();
        var bytes = seen!.ToBytes();
        Assert.NotNull(PrintedTree.Parse(bytes));

        var flipped = bytes.ToArray();
        flipped[40] ^= 1;
        Assert.Null(PrintedTree.Parse(flipped));
        Assert.Null(PrintedTree.Parse(bytes.AsSpan(0, bytes.Length - 1)));

        var climbing = PrintedTree.Of([PrintedEntry.Of([], Status(Tree)), PrintedEntry.Of("../outside"u8.ToArray(), Status(Path.Combine(Tree, "data")))]);
        Assert.Null(PrintedTree.Parse(climbing!.ToBytes()));
    }

    [Fact]
    public void Keys_should_be_the_same_from_known_paths_and_change_with_the_tree()
    {
        var cache = Path.Combine(_dir.Path, "cache");
        var snapshot = Snapshot.OfOverlay(Tree, []);
        var upper = SnapshotPaths.CanonicalDirectory(Tree, "--upper");
        var trees = new PrintedTrees(cache);
        var cold = new SnapshotCacheKeys(LinuxFileSystem.Instance, trees, Later(10)).KeyOf(snapshot, "s");
        Assert.NotNull(trees.Read(upper));

        var warm = new SnapshotCacheKeys(LinuxFileSystem.Instance, trees, Later(10)).KeyOf(snapshot, "s");
        Assert.Equal(cold.Lookup, warm.Lookup);
        Assert.Equal(new SnapshotCacheKeys(LinuxFileSystem.Instance).KeyOf(snapshot, "s").Lookup, warm.Lookup);

        Thread.Sleep(20);
        File.WriteAllText(Path.Combine(Tree, "etc", "app", "new"), "x");
        var changed = new SnapshotCacheKeys(LinuxFileSystem.Instance, trees, Later(10)).KeyOf(snapshot, "s");
        Assert.NotEqual(cold.Lookup, changed.Lookup);
        Assert.Equal(new SnapshotCacheKeys(LinuxFileSystem.Instance).KeyOf(snapshot, "s").Lookup, changed.Lookup);
    }

    [Fact]
    public void A_tree_whose_directories_changed_within_seconds_of_its_walk_should_not_be_kept()
    {
        var cache = Path.Combine(_dir.Path, "cache");
        var snapshot = Snapshot.OfOverlay(Tree, []);
        var upper = SnapshotPaths.CanonicalDirectory(Tree, "--upper");
        var trees = new PrintedTrees(cache);

        // The tree was made a moment ago: a change within that clock tick could go unseen later.
        var key = new SnapshotCacheKeys(LinuxFileSystem.Instance, trees).KeyOf(snapshot, "s");
        Assert.Null(trees.Read(upper));

        // Seen as seconds later, the same walk is kept, and the key is the same.
        Assert.Equal(key.Lookup, new SnapshotCacheKeys(LinuxFileSystem.Instance, trees, Later(10)).KeyOf(snapshot, "s").Lookup);
        Assert.NotNull(trees.Read(upper));
    }

    [Fact]
    public void Whether_a_tree_settled_should_be_decided_to_the_nanosecond_not_the_second()
    {
        var directory = new PrintedEntry([], true, 1, 2, CtimeSeconds: 100, CtimeNanoseconds: 900_000_000, MtimeSeconds: 100, MtimeNanoseconds: 0);
        var tree = PrintedTree.Of([directory, PrintedEntry.Of("file"u8.ToArray(), Status(Path.Combine(Tree, "data")))])!;
        var at = DateTimeOffset.FromUnixTimeSeconds(100);
        Assert.False(tree.DirectoriesChangedBefore(at.AddMilliseconds(500)));
        Assert.False(tree.DirectoriesChangedBefore(at.AddMilliseconds(900)));
        Assert.True(tree.DirectoriesChangedBefore(at.AddMilliseconds(950)));
        Assert.True(tree.DirectoriesChangedBefore(at.AddSeconds(1)));
    }

    /// <summary>The system's clock, <paramref name="seconds"/> ahead.</summary>
    private static AheadClock Later(int seconds) => new(TimeSpan.FromSeconds(seconds));

    private sealed class AheadClock(TimeSpan ahead) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + ahead;
    }

    private static FileStatus Status(string path)
    {
        Assert.True(LinuxFileSystem.Instance.TryLstat(PathBytes.FromString(path), out var status, out _));
        return status;
    }
}
