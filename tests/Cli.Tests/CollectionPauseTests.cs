using System.Runtime;
using ParallelDiff.Cli.Export;
using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>
/// The pause a --cache export takes from collections: sized by its job file, one at a time in a
/// process, ended once, and harmless when the run outgrows it. The collector's mode belongs to the
/// whole process, so these run alone.
/// </summary>
[Collection(CollectionPauseTests.Alone)]
public sealed class CollectionPauseTests
{
    public const string Alone = "collection pause";

    [Fact]
    public void The_window_should_grow_with_the_job_file_between_its_bounds()
    {
        Assert.Equal(16L << 20, CollectionPause.SizeFor(0));
        Assert.Equal(195_000L * 128, CollectionPause.SizeFor(195_000));
        Assert.Equal(64L << 20, CollectionPause.SizeFor(10_000_000));
    }

    [Fact]
    public void A_pause_should_stop_collections_until_it_is_disposed()
    {
        var before = GC.CollectionCount(0);
        using (var pause = CollectionPause.Begin(0))
        {
            Assert.NotNull(pause);
            Assert.Equal(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
            var kept = new List<byte[]>();
            for (var i = 0; i < 4_000; i++)
            {
                // 4 MiB in all, well inside the 16 MiB window.
                kept.Add(new byte[1024]);
            }

            Assert.Equal(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
            GC.KeepAlive(kept);
        }

        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);

        // Starting the window collected once; nothing in it did.
        Assert.InRange(GC.CollectionCount(0) - before, 0, 1);
    }

    [Fact]
    public void A_second_pause_should_not_be_granted_while_one_is_open_and_ending_should_happen_once()
    {
        var first = CollectionPause.Begin(0);
        Assert.NotNull(first);
        Assert.Null(CollectionPause.Begin(0));
        first!.Dispose();
        first.Dispose();
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        using var again = CollectionPause.Begin(0);
        Assert.NotNull(again);
    }

    [Fact]
    public void A_run_that_outgrows_the_window_should_end_it_without_a_failure()
    {
        var pause = CollectionPause.Begin(0);
        Assert.NotNull(pause);
        for (var i = 0; i < 64; i++)
        {
            // 32 MiB, twice the window: the runtime collects and leaves the mode.
            GC.KeepAlive(new byte[512 * 1024]);
        }

        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        pause!.Dispose();
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }
}

[CollectionDefinition(CollectionPauseTests.Alone, DisableParallelization = true)]
public sealed class CollectionPauseRunsAlone
{
}
