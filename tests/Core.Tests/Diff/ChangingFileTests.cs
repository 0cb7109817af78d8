using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Diff;

/// <summary>
/// A file that changes size between the diff and the read fails the layer, naming the file
/// (containerd: ErrWriteTooLong / short write), and no blob is left behind.
/// </summary>
public sealed class ChangingFileTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void File_that_changes_size_while_read_should_fail_the_layer(bool grows)
    {
        using var scratch = ScratchDirectory.Create("pd-changing-");
        var upper = Path.Combine(scratch.Path, "upper");
        Directory.CreateDirectory(upper);
        var victim = Path.Combine(upper, "log");
        File.WriteAllBytes(victim, new byte[100_000]);

        var diff = SnapshotDiff.Open(Snapshot.OfOverlay(upper, []));
        var changes = LayerTar.Changes(diff, LayerOptions.Default, _ => { }, default, out var differ);
        if (grows)
        {
            File.AppendAllText(victim, "more");
        }
        else
        {
            File.WriteAllBytes(victim, new byte[10]);
        }

        var target = Path.Combine(scratch.Path, "layer.tar");
        var error = Assert.Throws<FsException>(() =>
        {
            using var output = AtomicOutputFile.Create(target);
            SequentialLayerExporter.WriteBlob(diff, changes, differ, LayerOptions.Default, CompressionSettings.None, output.Stream, default);
            output.Commit();
        });

        Assert.Contains(victim, error.Message, StringComparison.Ordinal);
        Assert.Contains(grows ? "grew" : "shrank", error.Message, StringComparison.Ordinal);
        Assert.Equal(["upper"], Directory.GetFileSystemEntries(scratch.Path).Select(Path.GetFileName));
    }
}
