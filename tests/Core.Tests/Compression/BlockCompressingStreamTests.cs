using ParallelDiff.Core.Compression;
using Xunit;

namespace ParallelDiff.Core.Tests.Compression;

public sealed class BlockCompressingStreamTests
{
    [Fact]
    public void Counters_should_report_blocks_and_lengths()
    {
        var input = TestData.Compressible(2500, 60);
        using var codec = BlockCodecs.Create(LayerCompression.Gzip);
        using var blob = new MemoryStream();
        using var z = new BlockCompressingStream(blob, codec, 1000, leaveOpen: true);
        z.Write(input);
        Assert.Equal(2, z.BlockCount);
        Assert.Equal(2000, z.UncompressedLength);

        z.Finish();
        Assert.Equal(3, z.BlockCount);
        Assert.Equal(2500, z.UncompressedLength);
        Assert.Equal(blob.Length, z.CompressedLength);
        Assert.False(z.CanWrite);
    }

    [Fact]
    public void Write_after_finish_should_throw()
    {
        using var codec = BlockCodecs.Create(LayerCompression.Zstd);
        using var z = new BlockCompressingStream(new MemoryStream(), codec, 1000);
        z.Finish();
        z.Finish();
        Assert.Throws<InvalidOperationException>(() => z.WriteByte(1));
    }

    [Fact]
    public void Dispose_should_finish_and_close_the_inner_stream_unless_left_open()
    {
        using var codec = BlockCodecs.Create(LayerCompression.Lz4);
        var inner = new MemoryStream();
        new BlockCompressingStream(inner, codec, 1000).Dispose();
        Assert.False(inner.CanWrite);

        var kept = new MemoryStream();
        new BlockCompressingStream(kept, codec, 1000, leaveOpen: true).Dispose();
        Assert.True(kept.CanWrite);
        Assert.Empty(TestData.Decompress(kept.ToArray()));
    }

    [Fact]
    public void Block_size_should_be_validated()
    {
        using var codec = BlockCodecs.Create(LayerCompression.None);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BlockCompressingStream(new MemoryStream(), codec, 0));
        Assert.Throws<ArgumentOutOfRangeException>(
            () => new BlockCompressingStream(new MemoryStream(), codec, BlockCompressingStream.MaxBlockSize + 1));
    }

    [Fact]
    public void Disposed_zstd_codec_should_refuse_work()
    {
        var codec = BlockCodecs.Create(LayerCompression.Zstd);
        codec.CompressBlock([1, 2, 3], new System.Buffers.ArrayBufferWriter<byte>());
        codec.Dispose();
        Assert.Throws<ObjectDisposedException>(() => codec.CompressBlock([1], new System.Buffers.ArrayBufferWriter<byte>()));
    }
}
