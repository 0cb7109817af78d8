using System.Security.Cryptography;
using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Layers.LazyPull;
using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Layers.LazyPull;

/// <summary>
/// The per-file frame writers without a filesystem oracle: zstd:chunked's tar is the plain one,
/// the content cache changes no byte, blocks split big files into chunks, and the eStargz footer is
/// the 51 bytes stargz-snapshotter parses.
/// </summary>
public sealed class LazyPullLayerTests : IDisposable
{
    private readonly ScratchDirectory _scratch = ScratchDirectory.Create("pd-lazypull-");

    public void Dispose() => _scratch.Dispose();

    [Theory]
    [InlineData(LayerCompression.ZstdChunked)]
    [InlineData(LayerCompression.Estargz)]
    public void Copied_frames_should_give_the_same_blob_as_compressing_every_file(LayerCompression kind)
    {
        var diff = TenCopies();
        var changes = LayerTar.Changes(diff, LayerOptions.Default, _ => { }, CancellationToken.None, out var differ);
        var compression = CompressionSettings.For(kind, blockSize: 64 * 1024);
        using var cold = new MemoryStream();
        using var warm = new MemoryStream();
        var coldResult = LazyPullLayer.WriteBlob(diff, changes, differ, LayerOptions.Default, compression, cold, CancellationToken.None, reuseFrames: false);
        var warmResult = LazyPullLayer.WriteBlob(diff, changes, differ, LayerOptions.Default, compression, warm, CancellationToken.None, reuseFrames: true);

        Assert.Equal(cold.ToArray(), warm.ToArray());
        Assert.Equal(coldResult.Descriptor, warmResult.Descriptor);
    }

    [Fact]
    public void A_frame_with_a_key_seen_before_should_be_copied_not_compressed()
    {
        var cache = new FrameCache();
        using var codec = BlockCodecs.Create(LayerCompression.Zstd);
        using var output = new MemoryStream();
        using var blob = new FramedBlob(output, codec, 64 * 1024, cache);
        var data = System.Text.Encoding.ASCII.GetBytes(new string('x', 3000));
        blob.Append(data);
        var first = blob.Cut("k");
        blob.Append(data);
        var second = blob.Cut("k");

        Assert.Equal(1, cache.Hits);
        Assert.Equal(first * 2, second);
        Assert.Equal(output.ToArray().AsSpan(0, (int)first).ToArray(), output.ToArray().AsSpan((int)first).ToArray());
    }

    [Fact]
    public void Zstd_chunked_should_decode_to_the_plain_tar_and_split_big_files_into_block_chunks()
    {
        var diff = TenCopies();
        var changes = LayerTar.Changes(diff, LayerOptions.Default, _ => { }, CancellationToken.None, out var differ);
        using var plain = new MemoryStream();
        using var chunked = new MemoryStream();
        var zstd = SequentialLayerExporter.WriteBlob(diff, changes, differ, LayerOptions.Default, CompressionSettings.For(LayerCompression.Zstd, blockSize: 64 * 1024), plain, CancellationToken.None);
        var lazy = SequentialLayerExporter.WriteBlob(diff, changes, differ, LayerOptions.Default, CompressionSettings.For(LayerCompression.ZstdChunked, blockSize: 64 * 1024), chunked, CancellationToken.None);

        Assert.Equal(zstd.Descriptor.DiffId, lazy.Descriptor.DiffId);
        chunked.Position = 0;
        using var tar = LayerDecompression.OpenDecompressing(chunked);
        Assert.Equal(lazy.Descriptor.DiffId, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(tar)));

        // The 200,000-byte file is four chunks of 64 KiB blocks: its entry and three "chunk" entries.
        var position = lazy.Descriptor.Annotations![ZstdChunkedWriter.ManifestPositionAnnotation].Split(':');
        var toc = chunked.ToArray().AsSpan(int.Parse(position[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(position[1], System.Globalization.CultureInfo.InvariantCulture));
        var json = System.Text.Encoding.UTF8.GetString(new ZstdSharp.Decompressor().Unwrap(toc));
        Assert.Equal(3, json.Split("\"type\":\"chunk\"").Length - 1);
    }

    [Fact]
    public void Estargz_footer_should_name_the_toc_offset_as_gzipFooterBytes_does()
    {
        var footer = EstargzWriter.Footer(0x1234);
        Assert.Equal(EstargzWriter.FooterSize, footer.Length);
        Assert.True(EstargzFooter.Matches(footer));
        Assert.Equal("0000000000001234STARGZ", System.Text.Encoding.ASCII.GetString(footer, 16, 22));
        using var gzip = new System.IO.Compression.GZipStream(new MemoryStream(footer), System.IO.Compression.CompressionMode.Decompress);
        Assert.Equal(-1, gzip.ReadByte());
    }

    /// <summary>An upper with ten copies of the same small files under different paths, and one big file.</summary>
    private SnapshotDiff TenCopies()
    {
        var upper = Directory.CreateDirectory(Path.Combine(_scratch.Path, "upper")).FullName;
        for (var copy = 0; copy < 10; copy++)
        {
            for (var file = 0; file < 5; file++)
            {
                var dir = Directory.CreateDirectory(Path.Combine(upper, $"copy{copy}", $"d{file % 2}")).FullName;
                File.WriteAllText(Path.Combine(dir, $"f{file}.txt"), new string((char)('a' + file), 100 + (file * 700)));
            }
        }

        File.WriteAllBytes(Path.Combine(upper, "big.bin"), Enumerable.Range(0, 200_000).Select(i => (byte)(i * 7 % 251)).ToArray());
        return SnapshotDiff.Open(Snapshot.OfOverlay(upper, []));
    }
}
