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
/// The frame cache's spill file: frames past the memory tier are kept in an unnamed temporary file
/// and read back as they were written (through its mapping, or with pread where it is not mapped); its cap and a memory tier of 0 are honoured; a directory it
/// cannot use stops it with the reason, never fails a layer; and a layer made from spilled frames is
/// the cold layer's bytes.
/// </summary>
public sealed class SpillFramesTests : IDisposable
{
    private readonly ScratchDirectory _scratch = ScratchDirectory.Create("pd-spill-");

    public void Dispose() => _scratch.Dispose();

    private string SpillDirectory
    {
        get
        {
            var path = Path.Combine(_scratch.Path, "tmp");
            Directory.CreateDirectory(path);
            return path;
        }
    }

    // Held back while every frame is cached (a destination that turns out not to hold the blob), so
    // that spilled frames are held by their place and read again when the blob is written.
    private static readonly Func<KnownBlob, bool> NotHeld = _ => false;

    private static byte[] Frame(int length, int seed) => [.. Enumerable.Range(0, length).Select(i => (byte)(i * 31 + seed))];

    [Fact]
    public void Frames_past_memory_should_be_read_back_from_a_file_no_directory_names()
    {
        using var spill = new SpillFrames(SpillDirectory, 1 << 20);
        var cache = new FrameCache(memoryCapacity: 60, spill: spill);
        cache.Add("kept", 100, Frame(50, 1), crc64: 1);
        cache.Add("spilled", 100, Frame(50, 2), crc64: 2);

        Assert.False(cache.StoppedKeeping);
        Assert.Equal(50, spill.Spilled);
        Assert.True(cache.TryGet("spilled", 100, out var frame));
        Assert.Equal(Frame(50, 2), frame.Bytes.ToArray());
        Assert.Equal(2UL, frame.Crc64);
        Assert.True(cache.TryGet("kept", 100, out frame));
        Assert.Equal(Frame(50, 1), frame.Bytes.ToArray());
        Assert.Equal(1, spill.Hits);
        Assert.Null(spill.Stopped);
        Assert.Empty(Directory.GetFileSystemEntries(SpillDirectory));
    }

    [Fact]
    public void Frames_past_the_spill_cap_should_not_be_kept()
    {
        using var spill = new SpillFrames(SpillDirectory, 80);
        var cache = new FrameCache(memoryCapacity: 1, spill: spill);
        cache.Add("first", 100, Frame(50, 1));
        cache.Add("second", 100, Frame(50, 2));

        Assert.True(cache.TryGet("first", 100, out _));
        Assert.False(cache.TryGet("second", 100, out _));
        cache.Abandon("second");
        Assert.Null(spill.Stopped);
        Assert.True(cache.StoppedKeeping);
    }

    [Fact]
    public void A_cache_turned_off_should_spill_nothing()
    {
        using var spill = new SpillFrames(SpillDirectory, 1 << 20);
        var cache = new FrameCache(memoryCapacity: 0, spill: spill);
        cache.Add("frame", 100, Frame(50, 1));

        Assert.Equal(0, spill.Spilled);
        Assert.True(cache.StoppedKeeping);
        Assert.False(cache.TryGet("frame", 100, out _));
        cache.Abandon("frame");
    }

    [Fact]
    public void A_directory_it_cannot_use_should_stop_it_with_the_reason_and_nothing_else()
    {
        var missing = Path.Combine(_scratch.Path, "no-such-directory");
        using var spill = new SpillFrames(missing, 1 << 20);
        var cache = new FrameCache(memoryCapacity: 1, spill: spill);
        cache.Add("frame", 100, Frame(50, 1));

        Assert.Contains(missing, spill.Stopped, StringComparison.Ordinal);
        Assert.False(cache.TryGet("frame", 100, out _));
        cache.Abandon("frame");
    }

    [Theory]
    [InlineData(LayerCompression.ZstdChunked, true)]
    [InlineData(LayerCompression.Estargz, true)]
    [InlineData(LayerCompression.ZstdChunked, false)]
    [InlineData(LayerCompression.Estargz, false)]
    public void A_layer_made_of_spilled_frames_should_be_the_cold_layers_bytes(LayerCompression kind, bool mapped)
    {
        var tree = TwoFileTree.Make(Path.Combine(_scratch.Path, "a"), TwoFileTree.Pattern());
        var cold = Write(tree, kind, frames: null);
        using var spill = new SpillFrames(SpillDirectory, 1 << 30) { MapFile = mapped };
        var cache = new FrameCache(memoryCapacity: 1, spill: spill);
        var first = Write(tree, kind, cache, NotHeld);
        var second = Write(TwoFileTree.Make(Path.Combine(_scratch.Path, "b"), TwoFileTree.Pattern()), kind, cache, NotHeld);

        // Every frame the second layer took came back from the file (FrameCacheTests: 11 of them).
        Assert.Equal(11, cache.Hits);
        Assert.Equal(11, spill.Hits);
        AssertSameLayer(cold, first);
        AssertSameLayer(cold, second);
    }

    [Theory]
    [InlineData(LayerCompression.ZstdChunked, true)]
    [InlineData(LayerCompression.Estargz, true)]
    [InlineData(LayerCompression.ZstdChunked, false)]
    [InlineData(LayerCompression.Estargz, false)]
    public void A_layer_held_back_on_spilled_frames_then_written_should_be_the_cold_layers_bytes(LayerCompression kind, bool mapped)
    {
        // The same files and one more at the end: every frame before it comes from the spill file
        // and is held back by its place, then read again and written when the new file's frame misses.
        var tree = TwoFileTree.Make(Path.Combine(_scratch.Path, "a"), TwoFileTree.Pattern());
        var longerPath = Path.Combine(_scratch.Path, "c");
        Directory.CreateDirectory(longerPath);
        File.WriteAllText(Path.Combine(longerPath, "zz-new.txt"), "only in this copy\n");
        var longer = TwoFileTree.Make(longerPath, TwoFileTree.Pattern());
        var cold = Write(longer, kind, frames: null);
        using var spill = new SpillFrames(SpillDirectory, 1 << 30) { MapFile = mapped };
        var cache = new FrameCache(memoryCapacity: 1, spill: spill);
        Write(tree, kind, cache, NotHeld);

        AssertSameLayer(cold, Write(longer, kind, cache, NotHeld));
        Assert.True(spill.Hits > 0);
    }
}
