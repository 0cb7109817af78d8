using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Layers.LazyPull;
using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Layers.LazyPull;

/// <summary>
/// Files read ahead on a second thread (LazyPullLayer's readAheadFrom) give the very layer the
/// one-thread writer gives, with or without the frame cache; a file the reader cannot read fails
/// the layer with the same error; a cancelled layer stops without hanging.
/// </summary>
public sealed class PayloadReadAheadTests : IDisposable
{
    private readonly ScratchDirectory _scratch = ScratchDirectory.Create("pd-readahead-");

    public void Dispose() => _scratch.Dispose();

    private SnapshotDiff Tree()
    {
        var upper = Directory.CreateDirectory(Path.Combine(_scratch.Path, "upper")).FullName;
        var random = new Random(3);
        for (var d = 0; d < 6; d++)
        {
            var dir = Directory.CreateDirectory(Path.Combine(upper, $"d{d}", "deeper")).FullName;
            for (var f = 0; f < 40; f++)
            {
                // Sizes from empty to a few blocks of 64 KiB, half of each file noise.
                var data = new byte[(f * 7919 * (d + 1)) % 260_000];
                random.NextBytes(data.AsSpan(0, data.Length / 2));
                File.WriteAllBytes(Path.Combine(dir, $"f{f:D2}"), data);
            }
        }

        File.CreateSymbolicLink(Path.Combine(upper, "d0", "link"), "deeper/f01");
        Assert.Equal(0, Kernel.Posix.Link(Path.Combine(upper, "d0", "deeper", "f05"), Path.Combine(upper, "d1", "hard")));
        return SnapshotDiff.Open(Snapshot.OfOverlay(upper, []));
    }

    private static (byte[] Bytes, string Descriptor, int Entries) Write(SnapshotDiff diff, IReadOnlyList<Change> changes, LayerCompression kind, bool readAhead, FrameCache? frames = null, CancellationToken cancellationToken = default)
    {
        using var blob = new MemoryStream();
        var written = LazyPullLayer.WriteBlob(
            diff, changes, DifferKind.Overlay, LayerOptions.Default, CompressionSettings.For(kind, blockSize: 64 * 1024), blob, cancellationToken,
            reuseFrames: frames is not null, frames: frames, readAheadFrom: readAhead ? 0 : long.MaxValue);
        return (blob.ToArray(), written.Descriptor.ToJson(), written.Result.Entries);
    }

    private static ChangeList Changes(SnapshotDiff diff) =>
        LayerTar.Changes(diff, LayerOptions.Default, _ => { }, CancellationToken.None, out _);

    /// <summary>A read-ahead over the tree's changes in 64 KiB chunks, taken by hand as LazyPullLayer takes it.</summary>
    private static PayloadReadAhead ReadAhead(SnapshotDiff diff, ReaderCompressor? compressor = null)
    {
        var options = LayerOptions.Default.Writer with { Xattrs = LayerOptions.Default.Diff.Xattrs };
        return new PayloadReadAhead(Changes(diff), sink => new ChangeWriter(sink, diff.New, options), 64 * 1024, CancellationToken.None, compressor);
    }

    [Theory]
    [InlineData(LayerCompression.ZstdChunked)]
    [InlineData(LayerCompression.Estargz)]
    public void Files_read_ahead_should_give_the_layer_of_one_thread(LayerCompression kind)
    {
        var diff = Tree();
        var changes = Changes(diff);
        var one = Write(diff, changes, kind, readAhead: false);
        var ahead = Write(diff, changes, kind, readAhead: true);

        Assert.True(one.Entries > 240, $"{one.Entries} entries");
        Assert.Equal(one.Entries, ahead.Entries);
        Assert.Equal(one.Descriptor, ahead.Descriptor);
        Assert.Equal(one.Bytes, ahead.Bytes);

        // With the frame cache too, cold and then warm (every frame copied).
        var frames = new FrameCache();
        Assert.Equal(one, Write(diff, changes, kind, readAhead: true, frames), LayerOf.Instance);
        Assert.Equal(one, Write(diff, changes, kind, readAhead: true, frames), LayerOf.Instance);
        Assert.True(frames.Hits > 240, $"{frames.Hits} frames from the cache");

        // With a cache that keeps nothing: the frames the reader compresses go with their chunks.
        Assert.Equal(one, Write(diff, changes, kind, readAhead: true, new FrameCache(memoryCapacity: 0)), LayerOf.Instance);
    }

    [Fact]
    public void Chunks_looked_at_ahead_should_be_the_chunks_taken_next_in_order()
    {
        using var ahead = ReadAhead(Tree());
        var promised = new List<string>();
        var taken = new List<string>();
        var looks = 0;
        while (ahead.TryNextEntry(out var entry))
        {
            // At every entry, what lies ahead (up to 40 chunks, across batches) must be what comes.
            ahead.Rewind();
            var next = new List<string>();
            while (next.Count < 40 && ahead.TryNext(out var bytes, out var digest))
            {
                Assert.Equal(digest, "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes.Span)));
                next.Add(digest);
            }

            looks += next.Count;
            promised = [.. next, .. promised.Skip(next.Count)];
            while (entry.HasData && ahead.TryNextChunk(out var chunk))
            {
                taken.Add(chunk.Digest);
                Assert.Equal(promised[0], chunk.Digest);
                promised.RemoveAt(0);
                PayloadReadAhead.ReturnChunk(chunk);
            }
        }

        Assert.True(taken.Count > 200, $"{taken.Count} chunks");
        Assert.True(looks > 1000, $"{looks} chunks looked at ahead");
        Assert.Empty(promised);
    }

    [Fact]
    public void Looking_ahead_should_take_about_a_batch_beyond_what_the_reader_holds()
    {
        using var ahead = ReadAhead(Tree());
        Assert.True(ahead.TryNextEntry(out _));

        // Let the reader fill its batches (~8 MiB of this tree's ~30), then look as far as it lets us.
        Thread.Sleep(300);
        ahead.Rewind();
        var seen = 0L;
        while (ahead.TryNext(out var bytes, out _))
        {
            seen += bytes.Length;
        }

        Assert.True(seen > PayloadReadAhead.BatchBytes, $"{seen} bytes looked at");
        Assert.True(ahead.TakenAheadBytes < (2 * PayloadReadAhead.BatchBytes) + (64 * 1024), $"{ahead.TakenAheadBytes} bytes taken ahead");
    }

    [Fact]
    public void A_reader_held_up_by_a_full_read_ahead_should_compress_chunks_into_the_cache()
    {
        var frames = new FrameCache();
        using var compressor = new ReaderCompressor(frames, "zstd-3", BlockCodecs.Create(LayerCompression.Zstd), keepCrc64: true);
        var chunks = TakeOnceCompressed(Tree(), compressor);

        // Every frame the reader kept is its chunk compressed, CRC-64 included.
        var kept = 0;
        foreach (var (data, digest, frame, _) in chunks)
        {
            Assert.Null(frame);
            var key = FrameCache.KeyOf("zstd-3", digest, data.Length);
            if (frames.TryClaim(key, data.Length))
            {
                frames.Abandon(key);
                continue;
            }

            Assert.True(frames.TryGet(key, data.Length, out var cached));
            Assert.Equal(Compressed(data), cached.Bytes.ToArray());
            Assert.Equal(TarSplitPacker.Crc64Append(0, data), cached.Crc64);
            kept++;
        }

        Assert.True(kept > 0, "no frame kept by the reader");
    }

    [Theory]
    [InlineData(LayerCompression.ZstdChunked)]
    [InlineData(LayerCompression.Estargz)]
    public void A_reader_held_up_while_the_cache_keeps_nothing_should_hand_over_frames_with_their_chunks(LayerCompression kind)
    {
        var frames = new FrameCache(memoryCapacity: 0);
        frames.Add("filler", 10, new byte[10]);
        Assert.True(frames.StoppedKeeping);
        var codec = kind.FrameCodec();
        var pads = kind == LayerCompression.Estargz;
        using var compressor = new ReaderCompressor(frames, "frames", BlockCodecs.Create(codec), keepCrc64: !pads, padsLastChunk: pads);
        var framed = 0;
        var padded = 0;
        foreach (var (data, _, frame, last) in TakeOnceCompressed(Tree(), compressor))
        {
            if (frame is { } made)
            {
                // The chunk's data compressed (with eStargz a file's last chunk and its tar padding,
                // which is the frame the writer cuts there), with its CRC-64 where the format keeps it.
                var padding = pads && last ? ParallelDiff.Core.Tar.TarArchive.PaddingFor(data.Length) : 0;
                Assert.Equal(Compressed([.. data, .. new byte[padding]], codec), made.Bytes.ToArray());
                Assert.Equal(pads ? null : TarSplitPacker.Crc64Append(0, data), made.Crc64);
                made.Return();
                framed++;
                padded += padding > 0 ? 1 : 0;
            }
        }

        Assert.True(framed > 0, "no chunk came with its frame");
        Assert.True(!pads || padded > 0, "no padded frame");
        Assert.Equal(0, frames.Hits);
    }

    /// <summary>
    /// Takes nothing until the held-up reader has compressed a chunk, then every chunk, whole (its
    /// digest checked): a copy of its data, its digest, the frame that came with it, and whether it
    /// was its file's last.
    /// </summary>
    private static List<(byte[] Data, string Digest, ChunkFrame? Frame, bool Last)> TakeOnceCompressed(SnapshotDiff diff, ReaderCompressor compressor)
    {
        var chunks = new List<(byte[] Data, string Digest, ChunkFrame? Frame, bool Last)>();
        using var ahead = ReadAhead(diff, compressor);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!compressor.CompressedAny && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(5);
        }

        Assert.True(compressor.CompressedAny);
        while (ahead.TryNextEntry(out var entry))
        {
            while (entry.HasData && ahead.TryNextChunk(out var chunk))
            {
                Assert.Equal(chunk.Digest, "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(chunk.Data)));
                chunks.Add((chunk.Data.ToArray(), chunk.Digest, chunk.Frame, false));
                PayloadReadAhead.ReturnChunk(chunk);
            }

            if (entry.HasData && entry.Header.Size > 0)
            {
                chunks[^1] = chunks[^1] with { Last = true };
            }
        }

        Assert.True(chunks.Count > 200, $"{chunks.Count} chunks");
        return chunks;
    }

    private static byte[] Compressed(byte[] data, LayerCompression codec = LayerCompression.Zstd)
    {
        using var compressor = BlockCodecs.Create(codec);
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        compressor.CompressBlock(data, output);
        return output.WrittenSpan.ToArray();
    }

    [Fact]
    public void A_file_gone_before_it_is_read_should_fail_the_layer_with_the_error_of_one_thread()
    {
        var diff = Tree();
        var changes = Changes(diff);
        File.Delete(Path.Combine(_scratch.Path, "upper", "d3", "deeper", "f20"));

        var one = Assert.Throws<FsException>(() => Write(diff, changes, LayerCompression.ZstdChunked, readAhead: false));
        var ahead = Assert.Throws<FsException>(() => Write(diff, changes, LayerCompression.ZstdChunked, readAhead: true));
        Assert.Contains("d3/deeper/f20", ahead.Message, StringComparison.Ordinal);
        Assert.Equal(one.Message, ahead.Message);
    }

    [Fact]
    public void A_cancelled_layer_should_stop_the_reader_and_throw()
    {
        var diff = Tree();
        var changes = Changes(diff);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => Write(diff, changes, LayerCompression.ZstdChunked, readAhead: true, cancellationToken: cancel.Token));
    }

    /// <summary>Two written layers are the same: bytes, descriptor (digests, diffID, annotations) and entries.</summary>
    private sealed class LayerOf : IEqualityComparer<(byte[] Bytes, string Descriptor, int Entries)>
    {
        public static readonly LayerOf Instance = new();

        public bool Equals((byte[] Bytes, string Descriptor, int Entries) x, (byte[] Bytes, string Descriptor, int Entries) y) =>
            x.Bytes.AsSpan().SequenceEqual(y.Bytes) && x.Descriptor == y.Descriptor && x.Entries == y.Entries;

        public int GetHashCode((byte[] Bytes, string Descriptor, int Entries) obj) => obj.Descriptor.GetHashCode(StringComparison.Ordinal);
    }
}
