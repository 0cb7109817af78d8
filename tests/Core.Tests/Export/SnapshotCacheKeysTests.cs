using ParallelDiff.Core.Export;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Export;

/// <summary>
/// A snapshot's cache key is the same while nothing it is made of changes, and differs after any
/// change to its upper, under other settings, and for other lower directories (or the same lower
/// in another role). What is inside a lower is not in the key: the record under it lists the lower
/// paths an export consulted (<see cref="ConsultedLowers"/>).
/// </summary>
public sealed class SnapshotCacheKeysTests : IDisposable
{
    private readonly ScratchDirectory _dir = ScratchDirectory.Create("pd-cachekeys-");

    public SnapshotCacheKeysTests()
    {
        Directory.CreateDirectory(Upper);
        Directory.CreateDirectory(Lower);
        File.WriteAllText(Path.Combine(Upper, "file"), "upper\n");
        File.WriteAllText(Path.Combine(Lower, "base"), "lower\n");
    }

    private string Upper => Path.Combine(_dir.Path, "upper");

    private string Lower => Path.Combine(_dir.Path, "lower");

    public void Dispose() => _dir.Dispose();

    private Snapshot Snapshot => Snapshot.OfOverlay(Upper, [Lower]);

    /// <summary>A new instance each time: within one instance a big tree's print is kept for the run.</summary>
    private string Key(string settings = "zstd 3", Snapshot? snapshot = null) =>
        new SnapshotCacheKeys(LinuxFileSystem.Instance).KeyOf(snapshot ?? Snapshot, settings).Lookup;

    [Fact]
    public void An_unchanged_snapshot_should_keep_its_key_and_other_settings_should_change_it()
    {
        Assert.Equal(Key(), Key());
        Assert.NotEqual(Key(), Key("gzip 6"));
    }

    [Fact]
    public void A_change_in_the_upper_should_change_the_key()
    {
        var before = Key();
        File.WriteAllText(Path.Combine(Upper, "new"), "x");
        Assert.NotEqual(before, Key());
    }

    [Fact]
    public void A_change_inside_a_lower_should_leave_the_key_to_the_consulted_paths()
    {
        var before = Key();
        File.WriteAllText(Path.Combine(Lower, "base"), "LOWER\n");
        File.WriteAllText(Path.Combine(Lower, "new"), "x");
        Assert.Equal(before, Key());
    }

    [Fact]
    public void Another_lower_directory_or_role_should_change_the_key()
    {
        var other = Path.Combine(_dir.Path, "other");
        Directory.CreateDirectory(other);
        var before = Key();
        Assert.NotEqual(before, Key(snapshot: Snapshot.OfOverlay(Upper, [other])));
        Assert.NotEqual(before, Key(snapshot: Snapshot.OfOverlay(Upper, [Lower, other])));
        Assert.NotEqual(before, Key(snapshot: Snapshot with { Lowers = [new OverlayLayer(Lower, DataOnly: true)] }));
    }

    [Fact]
    public void A_lower_given_through_a_symbolic_link_should_be_keyed_by_where_it_leads()
    {
        var link = Path.Combine(_dir.Path, "link");
        var other = Path.Combine(_dir.Path, "other");
        Directory.CreateDirectory(other);
        File.CreateSymbolicLink(link, Lower);
        var keys = new SnapshotCacheKeys(LinuxFileSystem.Instance);
        var throughLink = keys.KeyOf(Snapshot.OfOverlay(Upper, [link]), "zstd 3");
        Assert.Equal(Key(), throughLink.Lookup);
        Assert.Equal(PathBytes.FromString(Lower), throughLink.Lowers.Single());
        Assert.Equal(PathBytes.FromString(Upper), throughLink.Upper);

        File.Delete(link);
        File.CreateSymbolicLink(link, other);
        Assert.NotEqual(throughLink.Lookup, Key(snapshot: Snapshot.OfOverlay(Upper, [link])));
    }

    [Fact]
    public void A_lower_resolved_once_should_serve_every_snapshot_of_the_run()
    {
        var link = Path.Combine(_dir.Path, "link");
        Directory.CreateDirectory(Path.Combine(_dir.Path, "other"));
        File.CreateSymbolicLink(link, Lower);
        var keys = new SnapshotCacheKeys(LinuxFileSystem.Instance);
        var first = keys.KeyOf(Snapshot.OfOverlay(Upper, [link]), "zstd 3");

        File.Delete(link);
        File.CreateSymbolicLink(link, Path.Combine(_dir.Path, "other"));
        // Within one run the lower is where the link led when the run first resolved it ...
        var again = keys.KeyOf(Snapshot.OfOverlay(Upper, [link]), "zstd 3");
        Assert.Equal(first.Lookup, again.Lookup);
        Assert.Equal(PathBytes.FromString(Lower), again.Lowers.Single());
        // ... and the next run resolves it anew.
        Assert.NotEqual(first.Lookup, Key(snapshot: Snapshot.OfOverlay(Upper, [link])));
    }

    [Fact]
    public void A_big_tree_printed_once_should_serve_every_snapshot_of_the_run()
    {
        for (var i = 0; i < SnapshotCacheKeys.KeptPrintEntries; i++)
        {
            File.WriteAllText(Path.Combine(Upper, $"f{i:D3}"), "x");
        }

        var keys = new SnapshotCacheKeys(LinuxFileSystem.Instance);
        var first = keys.KeyOf(Snapshot, "zstd 3");
        File.WriteAllText(Path.Combine(Upper, "file"), "changed during the run\n");
        // Its print is kept: within one run a big tree is taken as it was first seen, not walked again.
        Assert.Equal(first.Lookup, keys.KeyOf(Snapshot, "zstd 3").Lookup);
        Assert.NotEqual(first.Lookup, Key());
    }

    [Fact]
    public void A_small_tree_should_be_printed_again_for_each_snapshot_that_names_it()
    {
        var keys = new SnapshotCacheKeys(LinuxFileSystem.Instance);
        var first = keys.KeyOf(Snapshot, "zstd 3");
        Assert.Equal(first.Lookup, keys.KeyOf(Snapshot, "zstd 3").Lookup);

        // Not kept for the run (a bulk export's thousand small uppers would each hold one): the
        // next key is taken from the tree as it is now.
        File.WriteAllText(Path.Combine(Upper, "file"), "changed during the run\n");
        var second = keys.KeyOf(Snapshot, "zstd 3");
        Assert.NotEqual(first.Lookup, second.Lookup);
        Assert.Equal(Key(), second.Lookup);
    }

    [Fact]
    public void A_tree_pair_should_be_keyed_by_the_prints_of_both_trees()
    {
        var pair = Snapshot.OfTrees(Lower, Upper);
        var before = Key(snapshot: pair);
        Assert.Empty(new SnapshotCacheKeys(LinuxFileSystem.Instance).KeyOf(pair, "zstd 3").Lowers);
        File.WriteAllText(Path.Combine(Lower, "base"), "LOWER\n");
        Assert.NotEqual(before, Key(snapshot: pair));
    }
}
