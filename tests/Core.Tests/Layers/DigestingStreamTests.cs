using System.Security.Cryptography;
using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Tests.Compression;
using Xunit;

namespace ParallelDiff.Core.Tests.Layers;

public sealed class DigestingStreamTests
{
    [Fact]
    public void Empty_stream_should_have_the_sha256_of_nothing()
    {
        using var tee = new DigestingStream(Stream.Null);
        Assert.Equal("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", tee.Digest);
        Assert.Equal(0, tee.Length);
    }

    [Fact]
    public async Task Digest_and_length_should_match_SHA256_HashData_over_chunked_writes()
    {
        var data = TestData.Mixed(3_000_001, 70);
        using var sink = new MemoryStream();
        await using var tee = new DigestingStream(sink, leaveOpen: true);
        var at = 0;
        foreach (var n in new[] { 1, 10, 65536, 1_000_000 })
        {
            tee.Write(data, at, n);
            at += n;
        }

        tee.WriteByte(data[at++]);
        await tee.WriteAsync(data.AsMemory(at));

        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(data)), tee.Digest);
        Assert.Equal(SHA256.HashData(data), tee.DigestBytes);
        Assert.Equal(data.Length, tee.Length);
        Assert.Equal(data, sink.ToArray());
    }

    [Fact]
    public void Two_tees_around_a_compressor_should_give_diff_id_and_blob_digest_in_one_pass()
    {
        var tar = TestData.Compressible(700_000, 71);
        using var codec = BlockCodecs.Create(LayerCompression.Gzip);
        using var blob = new MemoryStream();
        using var blobTee = new DigestingStream(blob, leaveOpen: true);
        using var diffTee = new DigestingStream(new BlockCompressingStream(blobTee, codec, 256 * 1024, leaveOpen: true));
        diffTee.Write(tar);
        diffTee.Dispose();

        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(tar)), diffTee.Digest);
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(blob.ToArray())), blobTee.Digest);
        Assert.Equal(blob.Length, blobTee.Length);
        Assert.NotEqual(diffTee.Digest, blobTee.Digest);
    }
}
