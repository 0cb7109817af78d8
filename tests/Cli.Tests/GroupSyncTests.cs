using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>
/// How a bulk export makes its blobs durable, traced: a group of many small snapshots goes to disk
/// with one syncfs(2) rather than an fsync (and a device cache flush) per blob file, and what the
/// layout holds is what a run without the trace writes.
/// </summary>
public sealed class GroupSyncTests
{
    [RootWithToolsFact("strace")]
    public void An_export_of_many_small_snapshots_should_sync_its_blob_groups_with_syncfs_not_a_fsync_per_blob()
    {
        using var farm = new SnapshotFarm(80);
        var plain = farm.At("plain");
        var traced = farm.At("traced");
        string[] Export(string layout) => ["export", "--jobs", farm.JobsFile, "--oci-layout", layout, "--max-concurrent", "2", "--created", "none", "--quiet"];
        Assert.Equal(0, CliRunner.Run(Export(plain)).ExitCode);

        var args = CliRunner.CommandLineOf(Export(traced));
        var (result, calls) = Strace.Run("fsync,fdatasync,syncfs", withPaths: true, args[0], [.. args.Skip(1)]);
        Assert.True(result.ExitCode == 0, result.StdErr);

        // 80 snapshots are 240 blobs (layer, config, manifest): one fsync each would be 240. Only the
        // fsyncs of blob files count (strace -y names them): the index's and journal's are not the
        // blobs' and vary with how the groups fall.
        var syncfs = calls.Count(c => c.Contains("syncfs(", StringComparison.Ordinal) && c.EndsWith("= 0", StringComparison.Ordinal));
        var fsyncs = calls.Count(c => c.Contains("fsync(", StringComparison.Ordinal) && c.Contains("/blobs/sha256/", StringComparison.Ordinal));
        Assert.True(syncfs >= 1, $"no syncfs in {calls.Length} sync calls:\n{string.Join('\n', calls.Take(20))}");
        Assert.True(fsyncs < 240, $"{fsyncs} fsyncs for 240 blobs and {syncfs} syncfs");
        LayoutBytes.AssertEqual(plain, traced);
    }
}
