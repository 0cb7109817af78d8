using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Layers.LazyPull;
using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Tests.Support;
using Xunit;
using static ParallelDiff.Core.Tests.Layers.LazyPull.LazyPullWrites;

namespace ParallelDiff.Core.Tests.Layers.LazyPull;

/// <summary>
/// A layer made wholly of cached frames, whose recipe made a blob before, is not written when its
/// destination holds that blob (LazyPullLayer's holdsBlob); in every other case the blob is written
/// whole, the same bytes as a cold layer.
/// </summary>
public sealed class HeldBlobTests : IDisposable
{
    private readonly ScratchDirectory _scratch = ScratchDirectory.Create("pd-heldblob-");

    public void Dispose() => _scratch.Dispose();

    private SnapshotDiff Tree(string name, string small = "small\n") =>
        TwoFileTree.Make(Path.Combine(_scratch.Path, name), TwoFileTree.Pattern(), small);

    /// <summary>As <see cref="Tree"/>, with big.bin noise: its five frames do not compress.</summary>
    private SnapshotDiff NoiseTree(string name) => TwoFileTree.Make(Path.Combine(_scratch.Path, name), TwoFileTree.Noise());

    [Theory]
    [InlineData(LayerCompression.ZstdChunked)]
    [InlineData(LayerCompression.Estargz)]
    public void A_copy_whose_blob_the_destination_holds_should_write_nothing_and_describe_that_blob(LayerCompression kind)
    {
        var shared = new FrameCache();
        var asked = new List<KnownBlob>();
        var first = Write(Tree("a"), kind, shared, b => { asked.Add(b); return true; });
        Assert.False(first.Held);
        Assert.Empty(asked);

        var copy = Write(Tree("b"), kind, shared, b => { asked.Add(b); return true; });

        Assert.True(copy.Held);
        Assert.Empty(copy.Bytes);
        Assert.Equal([new KnownBlob(first.Descriptor.Digest, first.Descriptor.Size, first.Descriptor.DiffId)], asked);
        Assert.Equal(first.Descriptor.ToJson(), copy.Descriptor.ToJson());
        Assert.Equal(first.Bytes, Write(Tree("c"), kind, frames: null).Bytes);
    }

    [Theory]
    [InlineData(LayerCompression.ZstdChunked)]
    [InlineData(LayerCompression.Estargz)]
    public void A_copy_whose_blob_the_destination_does_not_hold_should_be_written_whole(LayerCompression kind)
    {
        var shared = new FrameCache();
        var first = Write(Tree("a"), kind, shared, _ => false);
        var copy = Write(Tree("b"), kind, shared, _ => false);

        Assert.False(copy.Held);
        AssertSameLayer(first, copy);
    }

    [Theory]
    [InlineData(LayerCompression.ZstdChunked)]
    [InlineData(LayerCompression.Estargz)]
    public void A_tree_that_differs_after_cached_frames_should_write_them_and_match_a_cold_layer(LayerCompression kind)
    {
        var shared = new FrameCache();
        Write(Tree("a"), kind, shared, _ => true);
        var asked = 0;

        // big.bin comes first in the tar: its five frames come from the cache and are held back;
        // small.txt's new content is a frame to compress, and the held pieces are written before it.
        var changed = Write(Tree("b", small: "changed\n"), kind, shared, _ => { asked++; return true; });

        Assert.False(changed.Held);
        Assert.Equal(0, asked);
        Assert.True(shared.Hits >= 5, $"{shared.Hits} frames from the cache: big.bin's were not held back");
        var cold = Write(Tree("c", small: "changed\n"), kind, frames: null);
        AssertSameLayer(cold, changed);
    }

    [Theory]
    [InlineData(LayerCompression.ZstdChunked)]
    [InlineData(LayerCompression.Estargz)]
    public void A_layer_of_cached_frames_in_a_new_order_should_hash_its_tar_from_them_and_match_a_cold_layer(LayerCompression kind)
    {
        // Two files of one content and size, then one of them alone: its every frame (header, data,
        // the padding with the end of the archive) is one the first layer made, but its recipe is
        // new, so nothing names its diffID and the held frames are decompressed to hash the tar.
        var both = Directory.CreateDirectory(Path.Combine(_scratch.Path, "both")).FullName;
        var alone = Directory.CreateDirectory(Path.Combine(_scratch.Path, "alone")).FullName;
        var data = Enumerable.Range(0, 100_000).Select(i => (byte)(i * 31 % 251)).ToArray();
        foreach (var path in new[] { Path.Combine(both, "a.bin"), Path.Combine(both, "b.bin"), Path.Combine(alone, "a.bin") })
        {
            File.WriteAllBytes(path, data);
            File.SetLastWriteTimeUtc(path, TwoFileTree.When);
        }

        var shared = new FrameCache();
        Write(SnapshotDiff.Open(Snapshot.OfOverlay(both, [])), kind, shared, _ => true);
        var hitsBefore = shared.Hits;
        var layer = Write(SnapshotDiff.Open(Snapshot.OfOverlay(alone, [])), kind, shared, _ => true);

        Assert.False(layer.Held);
        Assert.True(shared.Hits - hitsBefore >= 3, $"{shared.Hits - hitsBefore} frames from the cache");
        var cold = Write(SnapshotDiff.Open(Snapshot.OfOverlay(alone, [])), kind, frames: null);
        AssertSameLayer(cold, layer);
    }

    [Theory]
    [InlineData(LayerCompression.ZstdChunked)]
    [InlineData(LayerCompression.Estargz)]
    public void A_copy_through_a_cache_too_small_for_its_frames_should_be_written_whole_and_match_a_cold_layer(LayerCompression kind)
    {
        // 100 KiB of memory keeps big.bin's first frame or so: the copy holds back what it finds,
        // meets a frame the cache did not keep, and writes everything, hashed as it came.
        var shared = new FrameCache(100 * 1024);
        Write(NoiseTree("a"), kind, shared, _ => true);
        Assert.True(shared.StoppedKeeping);
        var copy = Write(NoiseTree("b"), kind, shared, _ => true);

        Assert.False(copy.Held);
        Assert.True(shared.Hits > 0, "the copy found no frame in the cache");
        var cold = Write(NoiseTree("c"), kind, frames: null);
        AssertSameLayer(cold, copy);
    }
}
