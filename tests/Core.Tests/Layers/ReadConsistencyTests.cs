using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Snapshots;
using Xunit;

namespace ParallelDiff.Core.Tests.Layers;

/// <summary>A file whose content changes between the diff's listing and the end of its read fails the layer ("file changed as we read it").</summary>
public sealed class ReadConsistencyTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pd-read-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_file_rewritten_at_the_same_size_after_listing_should_fail_the_layer()
    {
        var upper = Directory.CreateDirectory(Path.Combine(_root, "upper")).FullName;
        var file = Path.Combine(upper, "data.bin");
        File.WriteAllBytes(file, Enumerable.Repeat((byte)'A', 300_000).ToArray());
        File.SetLastWriteTimeUtc(file, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        var diff = SnapshotDiff.Open(Snapshot.OfOverlay(upper, []));
        var changes = LayerTar.Changes(diff, LayerOptions.Default, _ => { }, CancellationToken.None, out var differ);

        // Rewritten in place, same size: only its mtime tells.
        using (var stream = new FileStream(file, FileMode.Open, FileAccess.Write))
        {
            stream.Write(Enumerable.Repeat((byte)'B', 300_000).ToArray());
        }

        var e = Assert.Throws<FsException>(() => SequentialLayerExporter.WriteBlob(
            diff, changes, differ, LayerOptions.Default, CompressionSettings.For(LayerCompression.None), Stream.Null, CancellationToken.None));
        Assert.Contains("data.bin: file changed as we read it", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unchanged_file_should_write_as_before()
    {
        var upper = Directory.CreateDirectory(Path.Combine(_root, "upper")).FullName;
        File.WriteAllBytes(Path.Combine(upper, "data.bin"), new byte[70_000]);
        var diff = SnapshotDiff.Open(Snapshot.OfOverlay(upper, []));
        var changes = LayerTar.Changes(diff, LayerOptions.Default, _ => { }, CancellationToken.None, out var differ);
        using var blob = new MemoryStream();
        var (result, _, _) = SequentialLayerExporter.WriteBlob(diff, changes, differ, LayerOptions.Default, CompressionSettings.For(LayerCompression.None), blob, CancellationToken.None);
        Assert.Equal(70_000, result.DataBytes);
    }
}
