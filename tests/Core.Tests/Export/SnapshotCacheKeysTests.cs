using ParallelDiff.Core.Export;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Export;

/// <summary>
/// A snapshot's cache key is the same while nothing it depends on changes, and differs after any
/// change to its upper or to a lower, and under other settings.
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

    /// <summary>A new instance each time: within one instance the lowers' prints are kept for the run.</summary>
    private string Key(string settings = "zstd 3") => new SnapshotCacheKeys(LinuxFileSystem.Instance).KeyOf(Snapshot, settings);

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
    public void A_change_in_a_lower_should_change_the_key()
    {
        var before = Key();
        var mtime = File.GetLastWriteTimeUtc(Path.Combine(Lower, "base"));
        File.WriteAllText(Path.Combine(Lower, "base"), "LOWER\n");
        File.SetLastWriteTimeUtc(Path.Combine(Lower, "base"), mtime);
        Assert.NotEqual(before, Key());
    }

    [Fact]
    public void A_lower_printed_once_should_serve_every_snapshot_of_the_run()
    {
        var keys = new SnapshotCacheKeys(LinuxFileSystem.Instance);
        var first = keys.KeyOf(Snapshot, "zstd 3");
        File.WriteAllText(Path.Combine(Lower, "base"), "changed during the run\n");
        // The run's print of the lower is kept: within one run a lower is taken as it was first seen.
        Assert.Equal(first, keys.KeyOf(Snapshot, "zstd 3"));
        Assert.NotEqual(first, Key());
    }
}
