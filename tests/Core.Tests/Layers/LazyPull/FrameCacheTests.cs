using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Layers.LazyPull;
using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Layers.LazyPull;

/// <summary>
/// The content cache shared by layers and kept on disk: a second layer with the same files copies
/// their frames (counted as hits) and is the same blob as a cold one; the disk tier serves a new
/// process's cache, refuses an entry whose digest does not match, and keeps only frames worth a file.
/// </summary>
public sealed class FrameCacheTests : IDisposable
{
    private readonly ScratchDirectory _scratch = ScratchDirectory.Create("pd-framecache-");

    public void Dispose() => _scratch.Dispose();

    private string Frames => Path.Combine(_scratch.Path, "frames");

    private SnapshotDiff Upper(string name) => TwoFileTree.Make(Path.Combine(_scratch.Path, name), TwoFileTree.Pattern());

    private static byte[] Write(SnapshotDiff diff, LayerCompression kind, FrameCache? frames, bool reuse = true)
    {
        var changes = LayerTar.Changes(diff, LayerOptions.Default, _ => { }, CancellationToken.None, out var differ);
        using var blob = new MemoryStream();
        // 64 KiB blocks: big.bin is five frames, four of them full blocks.
        LazyPullLayer.WriteBlob(diff, changes, differ, LayerOptions.Default, CompressionSettings.For(kind, blockSize: 64 * 1024), blob, CancellationToken.None, reuseFrames: reuse, frames: frames);
        return blob.ToArray();
    }

    [Theory]
    [InlineData(LayerCompression.ZstdChunked)]
    [InlineData(LayerCompression.Estargz)]
    public void A_second_layer_with_the_same_files_should_copy_every_file_frame_and_be_the_same_blob(LayerCompression kind)
    {
        // One tree for the cold and the first layer: the TOCs record mtimes.
        var a = Upper("a");
        var cold = Write(a, kind, frames: null, reuse: false);
        var shared = new FrameCache();
        var first = Write(a, kind, shared);
        Assert.Equal(0, shared.Hits);
        var b = Upper("b");
        var second = Write(b, kind, shared);

        // big.bin's five frames and small.txt's one (full blocks are cached as well as the last),
        // and the three frames of headers and paddings around them, named by their content; eStargz
        // adds its landmark file's header and its one byte of data, zstd:chunked its compressed TOC
        // and tar-split lines: 11 either way, all the same for the same files.
        Assert.Equal(11, shared.Hits);
        Assert.Equal(cold, first);
        Assert.Equal(cold, second);
    }

    private SnapshotDiff ManySmall(string name)
    {
        // 400 files of 4 KiB in 4 directories: 1.6 MB of tar, past the size from which the frames
        // between files (headers) are named by their content too. Fixed mtimes, so that two copies'
        // headers are the same bytes.
        var upper = Directory.CreateDirectory(Path.Combine(_scratch.Path, name)).FullName;
        var when = new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc);
        for (var d = 0; d < 4; d++)
        {
            var dir = Directory.CreateDirectory(Path.Combine(upper, $"d{d}")).FullName;
            for (var f = 0; f < 100; f++)
            {
                var path = Path.Combine(dir, $"f{f}.txt");
                File.WriteAllBytes(path, [.. Enumerable.Range(0, 4096).Select(i => (byte)((i * (d + 3)) + f))]);
                File.SetLastWriteTimeUtc(path, when);
            }

            Directory.SetLastWriteTimeUtc(dir, when);
        }

        return SnapshotDiff.Open(Snapshot.OfOverlay(upper, []));
    }

    [Theory]
    [InlineData(LayerCompression.ZstdChunked)]
    [InlineData(LayerCompression.Estargz)]
    public void A_copy_of_a_big_tree_should_compress_no_frame_at_all_and_be_the_same_blob(LayerCompression kind)
    {
        var b = ManySmall("b");
        var coldB = Write(b, kind, frames: null, reuse: false);
        var shared = new FrameCache();
        Write(ManySmall("a"), kind, shared);
        var compressed = shared.Misses;
        var copy = Write(b, kind, shared);

        // The copy's frames came from the cache: the 400 files' data and the frames of headers between
        // them (one before each file, named by their content: in managed code within the layer's
        // first MiB, so a small layer does not load OpenSSL for them); zstd:chunked's tar-split took
        // each file's CRC-64 from the cache (the blob shows it right).
        Assert.True(compressed > 500, $"{compressed} frames looked up for the first tree: the headers' frames were not");
        Assert.Equal(compressed, shared.Misses);
        Assert.Equal(compressed, shared.Hits);
        Assert.Equal(coldB, copy);
    }

    [Fact]
    public async Task Two_layers_written_at_once_should_compress_each_frame_once_and_match_a_cold_layer()
    {
        var a = Upper("a");
        var cold = Write(a, LayerCompression.ZstdChunked, frames: null, reuse: false);
        var shared = new FrameCache();
        var layers = await Task.WhenAll(
            Task.Factory.StartNew(() => Write(a, LayerCompression.ZstdChunked, shared), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default),
            Task.Factory.StartNew(() => Write(a, LayerCompression.ZstdChunked, shared), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));

        // Whichever layer met a frame first compressed it; the other waited for it or found it kept:
        // the six frames of file data, three of headers and paddings, the TOC and the tar-split lines.
        Assert.Equal(11, shared.Misses);
        Assert.Equal(11, shared.Hits);
        Assert.Equal(cold, layers[0]);
        Assert.Equal(cold, layers[1]);
    }

    [Fact]
    public void Frames_on_disk_should_serve_a_new_cache_and_keep_only_frames_worth_a_file()
    {
        var a = Upper("a");
        var cold = Write(a, LayerCompression.ZstdChunked, frames: null, reuse: false);
        Write(a, LayerCompression.ZstdChunked, new FrameCache(0, new DiskFrames(Frames, 32 * 1024)));
        // The five frames of big.bin (64 KiB, and 37,856 bytes) are on disk; small.txt's is not.
        Assert.Equal(5, Directory.GetFiles(Frames, "*", SearchOption.AllDirectories).Length);

        var later = new FrameCache(0, new DiskFrames(Frames, 32 * 1024));
        var warm = Write(a, LayerCompression.ZstdChunked, later);
        Assert.Equal(5, later.DiskHits);
        Assert.Equal(cold, warm);
    }

    [Fact]
    public void A_frame_entry_whose_digest_does_not_match_should_be_removed_and_the_frame_compressed()
    {
        var a = Upper("a");
        var cold = Write(a, LayerCompression.ZstdChunked, frames: null, reuse: false);
        Write(a, LayerCompression.ZstdChunked, new FrameCache(0, new DiskFrames(Frames, 32 * 1024)));
        var entries = Directory.GetFiles(Frames, "*", SearchOption.AllDirectories);
        var damaged = entries[0];
        var bytes = File.ReadAllBytes(damaged);
        bytes[^1] ^= 0x40;
        File.WriteAllBytes(damaged, bytes);
        File.WriteAllBytes(entries[1], bytes.AsSpan(0, 20).ToArray());

        var disk = new DiskFrames(Frames, 32 * 1024);
        var later = new FrameCache(0, disk);
        var warm = Write(a, LayerCompression.ZstdChunked, later);
        Assert.Equal(2, disk.Rejected);
        Assert.Equal(3, later.DiskHits);
        Assert.Equal(cold, warm);
        // Written again, whole, by the layer that compressed them.
        Assert.NotEqual(bytes, File.ReadAllBytes(damaged));
    }

    [Fact]
    public void The_same_content_at_another_level_should_not_be_taken_from_the_cache()
    {
        var shared = new FrameCache();
        var diff = Upper("a");
        var changes = LayerTar.Changes(diff, LayerOptions.Default, _ => { }, CancellationToken.None, out var differ);
        using var three = new MemoryStream();
        using var nine = new MemoryStream();
        LazyPullLayer.WriteBlob(diff, changes, differ, LayerOptions.Default, CompressionSettings.For(LayerCompression.ZstdChunked, 3), three, CancellationToken.None, frames: shared);
        LazyPullLayer.WriteBlob(diff, changes, differ, LayerOptions.Default, CompressionSettings.For(LayerCompression.ZstdChunked, 9), nine, CancellationToken.None, frames: shared);
        Assert.Equal(0, shared.Hits);
    }
}
