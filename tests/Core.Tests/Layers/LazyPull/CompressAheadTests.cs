using System.Security.Cryptography;
using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Layers.LazyPull;
using Xunit;

namespace ParallelDiff.Core.Tests.Layers.LazyPull;

/// <summary>
/// A layer that waits for a frame another layer is compressing compresses frames it will cut later
/// meanwhile (two copies of one tree exported at once share the compression instead of one doing it
/// all), and its blob is the one it would have written without waiting.
/// </summary>
public sealed class CompressAheadTests
{
    private const string Codec = "zstd-3";

    private static byte[] Content(int seed, int length)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data.AsSpan(0, length / 2));
        return data;
    }

    private static string Digest(byte[] data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    private static byte[] Compressed(byte[] data)
    {
        using var codec = BlockCodecs.Create(LayerCompression.Zstd);
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        codec.CompressBlock(data, output);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Writes the frames one by one into a blob, cut by their digests.</summary>
    private static byte[] Blob(FrameCache? cache, IUpcomingFrames? upcoming, params byte[][] frames)
    {
        using var codec = BlockCodecs.Create(LayerCompression.Zstd);
        using var output = new MemoryStream();
        using (var blob = new FramedBlob(output, codec, 64 * 1024, cache, Codec))
        {
            if (upcoming is not null)
            {
                blob.CompressAheadFrom(upcoming, keepCrc64: true);
            }

            foreach (var frame in frames)
            {
                blob.Append(frame, cutWhenFull: false);
                blob.Cut(Digest(frame));
            }
        }

        return output.ToArray();
    }

    [Fact]
    public async Task A_layer_waiting_for_another_layers_frame_should_compress_its_upcoming_frames_meanwhile()
    {
        var (x, y, z) = (Content(1, 5000), Content(2, 7000), Content(3, 3000));
        var cache = new FrameCache();
        var keyX = FrameCache.KeyOf(Codec, Digest(x), x.Length);

        // "Another layer" compresses x: it holds x's claim until this test adds the frame.
        Assert.True(cache.TryClaim(keyX, x.Length));
        var upcoming = new Frames(y, z);
        var waiting = Task.Run(() => Blob(cache, upcoming, x, y, z));
        try
        {
            // y and z are compressed and kept while x is still being compressed elsewhere.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (cache.Misses < 3 && DateTime.UtcNow < deadline && !waiting.IsCompleted)
            {
                Thread.Sleep(5);
            }

            Assert.Equal(3, cache.Misses);
            Assert.False(waiting.IsCompleted);
        }
        finally
        {
            cache.Add(keyX, x.Length, Compressed(x));
        }

        Assert.Equal(Blob(null, null, x, y, z), await waiting.WaitAsync(TimeSpan.FromSeconds(30)));

        // x came from the other layer, y and z from this layer's own work ahead: nothing compressed twice.
        Assert.Equal(3, cache.Hits);
        Assert.Equal(3, cache.Misses);
        Assert.True(cache.TryGet(FrameCache.KeyOf(Codec, Digest(y), y.Length), y.Length, out var keptY));
        Assert.Equal(TarSplitPacker.Crc64Append(0, y), keptY.Crc64);
        Assert.Equal(Compressed(y), keptY.Bytes.ToArray());
    }

    [Fact]
    public async Task Frames_kept_or_claimed_already_should_not_be_compressed_ahead()
    {
        var (x, y, z) = (Content(1, 5000), Content(2, 7000), Content(3, 3000));
        var cache = new FrameCache();
        var keyX = FrameCache.KeyOf(Codec, Digest(x), x.Length);
        var keyY = FrameCache.KeyOf(Codec, Digest(y), y.Length);
        cache.Add(keyY, y.Length, Compressed(y));
        Assert.True(cache.TryClaim(keyX, x.Length));
        Assert.False(cache.TryClaim(keyX, x.Length));
        Assert.False(cache.TryClaim(keyY, y.Length));

        var upcoming = new Frames(y, z, x);
        var waiting = Task.Run(() => Blob(cache, upcoming, x, y, z));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (upcoming.Taken < 3 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(5);
        }

        cache.Add(keyX, x.Length, Compressed(x));
        Assert.Equal(Blob(null, null, x, y, z), await waiting.WaitAsync(TimeSpan.FromSeconds(30)));

        // Only z was compressed ahead (y was kept, x claimed by the other layer).
        Assert.Equal(2, cache.Misses);
    }

    [Fact]
    public void A_cache_that_stopped_keeping_should_compress_nothing_ahead()
    {
        var x = Content(1, 5000);
        var cache = new FrameCache(memoryCapacity: 0);
        cache.Add("filler", 10, new byte[10]);
        Assert.True(cache.StoppedKeeping);
        Assert.False(cache.TryClaim(FrameCache.KeyOf(Codec, Digest(x), x.Length), x.Length));
    }

    [Fact]
    public void A_blob_whose_reading_thread_compressed_a_frame_should_stop_holding_back()
    {
        var (x, y) = (Content(1, 5000), Content(2, 7000));
        foreach (var readerCompresses in new[] { false, true })
        {
            // x was kept by an earlier layer: a copy of it alone would be held back, as a copy's blob.
            var cache = new FrameCache();
            cache.Add(FrameCache.KeyOf(Codec, Digest(x), x.Length), x.Length, Compressed(x));
            using var codec = BlockCodecs.Create(LayerCompression.Zstd);
            using var output = new MemoryStream();
            using var blob = new FramedBlob(output, codec, 64 * 1024, cache, Codec, holdBackCached: true);
            using var reader = blob.CompressorForReader(() => BlockCodecs.Create(LayerCompression.Zstd), keepCrc64: true);
            Assert.NotNull(reader);
            Assert.False(reader.TryCompress(x, Digest(x)));
            if (readerCompresses)
            {
                // The reading thread compressed a frame of this layer (y, which comes later).
                Assert.True(reader.TryCompress(y, Digest(y)));
            }

            blob.Append(x, cutWhenFull: false);
            blob.Cut(Digest(x));

            Assert.Equal(readerCompresses, reader.CompressedAny);
            Assert.Equal(!readerCompresses, blob.HeldBack);
            Assert.Equal(readerCompresses ? Compressed(x) : [], output.ToArray());
            if (readerCompresses)
            {
                Assert.Equal(Digest(x), blob.TarDigest);
                Assert.True(cache.TryGet(FrameCache.KeyOf(Codec, Digest(y), y.Length), y.Length, out var keptY));
                Assert.Equal(Compressed(y), keptY.Bytes.ToArray());
                Assert.Equal(TarSplitPacker.Crc64Append(0, y), keptY.Crc64);
            }
        }
    }

    [Fact]
    public void A_frame_the_reader_compressed_apart_should_be_written_as_given_and_end_the_holding_back()
    {
        var (x, y) = (Content(1, 5000), Content(2, 7000));
        var cache = new FrameCache();
        cache.Add(FrameCache.KeyOf(Codec, Digest(x), x.Length), x.Length, Compressed(x));
        using var codec = BlockCodecs.Create(LayerCompression.Zstd);
        using var output = new MemoryStream();
        using var blob = new FramedBlob(output, codec, 64 * 1024, cache, Codec, holdBackCached: true);

        // x is a copy's frame (held back); y comes with a frame of its own, made at another level
        // here so that the blob shows it was written as given, not compressed again.
        blob.Append(x, cutWhenFull: false);
        blob.Cut(Digest(x), crc64From: 0);
        Assert.True(blob.HeldBack);
        using var other = BlockCodecs.Create(LayerCompression.Zstd, 1);
        var made = new System.Buffers.ArrayBufferWriter<byte>();
        other.CompressBlock(y, made);
        Assert.NotEqual(Compressed(y), made.WrittenSpan.ToArray());
        blob.Append(y, cutWhenFull: false);
        blob.Cut(Digest(y), crc64From: 0, new ChunkFrame(made.WrittenSpan.ToArray(), made.WrittenCount, TarSplitPacker.Crc64Append(0, y)));

        Assert.False(blob.HeldBack);
        Assert.Equal(TarSplitPacker.Crc64Append(0, y), blob.Crc64);
        Assert.Equal([.. Compressed(x), .. made.WrittenSpan], output.ToArray());
        Assert.Equal(Digest([.. x, .. y]), blob.TarDigest);
    }

    [Fact]
    public void A_blob_without_a_cache_should_give_its_reader_no_compressor()
    {
        using var codec = BlockCodecs.Create(LayerCompression.Zstd);
        using var blob = new FramedBlob(Stream.Null, codec, 64 * 1024);
        Assert.Null(blob.CompressorForReader(() => throw new InvalidOperationException("no codec is needed"), keepCrc64: false));
    }

    /// <summary>Upcoming frames as a list, each scan from the start.</summary>
    private sealed class Frames(params byte[][] frames) : IUpcomingFrames
    {
        private int _next;

        public int Taken { get; private set; }

        public void Rewind() => _next = 0;

        public bool TryNext(out ReadOnlyMemory<byte> bytes, out string digest)
        {
            if (_next == frames.Length)
            {
                bytes = default;
                digest = string.Empty;
                return false;
            }

            bytes = frames[_next];
            digest = Digest(frames[_next++]);
            Taken++;
            return true;
        }
    }
}
