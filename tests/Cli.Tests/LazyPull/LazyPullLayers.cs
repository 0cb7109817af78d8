using System.Security.Cryptography;
using ParallelDiff.Core.Apply;
using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Cli.Tests.LazyPull;

/// <summary>
/// What every lazy-pull test checks of a snapshot: exported as zstd, zstd:chunked and eStargz,
/// zstd:chunked keeps zstd's diffID; both pass their format's own reader (<see cref="GoVerifiers"/>);
/// the zstd and gzip tools decode both to a tar whose sha256 is the descriptor's diffID; and
/// applying each gives the same tree as applying the plain zstd layer.
/// </summary>
public static class LazyPullLayers
{
    public static void Check(Snapshot snapshot, LayerOptions options, string scratch)
    {
        var plain = Export(snapshot, options, LayerCompression.Zstd, Path.Combine(scratch, "layer.zst"));
        var chunked = Export(snapshot, options, LayerCompression.ZstdChunked, Path.Combine(scratch, "layer.chunked.zst"));
        var estargz = Export(snapshot, options, LayerCompression.Estargz, Path.Combine(scratch, "layer.estargz.gz"));

        Assert.Equal(plain.DiffId, chunked.DiffId);
        Assert.Equal(MediaTypes.LayerTarZstd, chunked.MediaType);
        Assert.Equal(MediaTypes.LayerTarGzip, estargz.MediaType);
        var zstdChunkedReport = GoVerifiers.ZstdChunked(Path.Combine(scratch, "layer.chunked.zst"), chunked.ToJson());
        Assert.StartsWith("ok:", zstdChunkedReport, StringComparison.Ordinal);
        var estargzReport = GoVerifiers.Estargz(Path.Combine(scratch, "layer.estargz.gz"), estargz.Annotations!["containerd.io/snapshot/stargz/toc.digest"]);
        Assert.StartsWith("ok:", estargzReport, StringComparison.Ordinal);

        Assert.Equal(chunked.DiffId, DecodedDigest("zstd", Path.Combine(scratch, "layer.chunked.zst"), Path.Combine(scratch, "decoded.zst")));
        Assert.Equal(estargz.DiffId, DecodedDigest("gzip", Path.Combine(scratch, "layer.estargz.gz"), Path.Combine(scratch, "decoded.gz")));
        Assert.Equal(
            estargz.Annotations["io.containers.estargz.uncompressed-size"],
            new FileInfo(Path.Combine(scratch, "decoded")).Length.ToString(System.Globalization.CultureInfo.InvariantCulture));

        var expected = Applied(Path.Combine(scratch, "layer.zst"), Path.Combine(scratch, "applied-zstd"));
        foreach (var (blob, dir) in new[] { ("layer.chunked.zst", "applied-chunked"), ("layer.estargz.gz", "applied-estargz") })
        {
            var actual = Applied(Path.Combine(scratch, blob), Path.Combine(scratch, dir));
            var differences = TreeComparison.Compare(expected, actual);
            Assert.True(differences.Count == 0, $"{blob} applies differently from plain zstd:\n{TreeComparison.Format(differences)}");
        }
    }

    private static LayerDescriptor Export(Snapshot snapshot, LayerOptions options, LayerCompression kind, string path) =>
        SequentialLayerExporter.Export(snapshot, options, CompressionSettings.For(kind), path, _ => { }, CancellationToken.None).Descriptor;

    /// <summary>The tool's own decoder ("zstd -d", "gzip -d") on a copy of the blob; "sha256:…" of what it wrote.</summary>
    private static string DecodedDigest(string tool, string blob, string copy)
    {
        File.Copy(blob, copy, overwrite: true);
        var decoded = Path.Combine(Path.GetDirectoryName(copy)!, "decoded");
        File.Delete(decoded);
        SystemTool.Check(tool, "-d", "-f", "-q", copy);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(decoded)));
    }

    /// <summary>Applies the blob as the apply command does (the eStargz footer decides what is metadata); the tree it made.</summary>
    private static IReadOnlyList<TreeEntry> Applied(string blob, string destination)
    {
        Directory.CreateDirectory(destination);
        using var file = File.OpenRead(blob);
        var estargz = EstargzFooter.IsPresent(file);
        using var tar = LayerDecompression.OpenDecompressing(file);
        LayerApplier.Apply(tar, destination, new ApplyOptions { ExactTimes = true, SkipEstargzMetadata = estargz });
        tar.CopyTo(Stream.Null);
        return TreeSnapshot.Capture(destination);
    }
}
