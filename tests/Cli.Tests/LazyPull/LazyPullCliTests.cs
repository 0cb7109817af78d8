using System.Security.Cryptography;
using System.Text.Json;
using Xunit;

namespace ParallelDiff.Cli.Tests.LazyPull;

/// <summary>
/// The CLI's side of the lazy-pull formats: --compression names them, the descriptor line and an
/// OCI layout's manifest carry the annotations their readers look for, the image config names
/// eStargz's own diffID, and apply leaves out eStargz's TOC entry and landmark.
/// </summary>
public sealed class LazyPullCliTests : IDisposable
{
    private readonly SampleTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private string At(string name) => Path.Combine(_tree.Root, name);

    [Fact]
    public void Diff_as_zstd_chunked_should_print_the_manifest_annotations_and_keep_the_zstd_diffID()
    {
        var plain = Diff("zstd", At("plain.zst"));
        var chunked = Diff("zstd:chunked", At("chunked.zst"));
        Assert.Equal(DiffId(plain), DiffId(chunked));
        var annotations = chunked.RootElement.GetProperty("annotations");
        var checksum = annotations.GetProperty("io.github.containers.zstd-chunked.manifest-checksum").GetString()!;
        var position = annotations.GetProperty("io.github.containers.zstd-chunked.manifest-position").GetString()!.Split(':');
        Assert.Equal("1", position[3]);
        Assert.Equal(3, annotations.GetProperty("io.github.containers.zstd-chunked.tarsplit-position").GetString()!.Split(':').Length);

        // The checksum is that of the compressed TOC, at the offset and length the position gives.
        var blob = File.ReadAllBytes(At("chunked.zst"));
        var toc = blob.AsSpan(int.Parse(position[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(position[1], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(checksum, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(toc)));
        Assert.Equal(checksum, annotations.GetProperty("io.containers.zstd-chunked.manifest-checksum").GetString());
    }

    [Fact]
    public void Image_as_estargz_should_put_the_toc_digest_on_the_manifest_and_its_own_diffID_in_the_config()
    {
        var layout = At("layout");
        var result = CliRunner.Run("diff", "--upper", _tree.Upper, "--lower", _tree.Lower, "--compression", "estargz", "--oci-layout", layout, "--tag", "lazy");
        Assert.True(result.ExitCode == 0, result.StdErr);
        using var descriptor = JsonDocument.Parse(result.StdOut);
        var tocDigest = descriptor.RootElement.GetProperty("annotations").GetProperty("containerd.io/snapshot/stargz/toc.digest").GetString();
        Assert.StartsWith("sha256:", tocDigest, StringComparison.Ordinal);

        using var index = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(layout, "index.json")));
        var manifestDigest = index.RootElement.GetProperty("manifests")[0].GetProperty("digest").GetString()!;
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(Blob(layout, manifestDigest)));
        var layer = manifest.RootElement.GetProperty("layers")[0];
        Assert.Equal("application/vnd.oci.image.layer.v1.tar+gzip", layer.GetProperty("mediaType").GetString());
        var annotations = layer.GetProperty("annotations");
        Assert.Equal(tocDigest, annotations.GetProperty("containerd.io/snapshot/stargz/toc.digest").GetString());
        Assert.True(annotations.TryGetProperty("io.containers.estargz.uncompressed-size", out _));
        Assert.False(annotations.TryGetProperty("containerd.io/uncompressed", out _));

        // The config's diffID is the sha256 of this blob's own tar, TOC entry included.
        using var config = JsonDocument.Parse(File.ReadAllBytes(Blob(layout, manifest.RootElement.GetProperty("config").GetProperty("digest").GetString()!)));
        var diffId = config.RootElement.GetProperty("rootfs").GetProperty("diff_ids")[0].GetString();
        Assert.Equal(DiffId(descriptor), diffId);
        using var gzip = new System.IO.Compression.GZipStream(File.OpenRead(Blob(layout, layer.GetProperty("digest").GetString()!)), System.IO.Compression.CompressionMode.Decompress);
        Assert.Equal(diffId, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(gzip)));
    }

    [Fact]
    public void Apply_of_an_estargz_layer_should_leave_out_its_toc_and_landmark()
    {
        Diff("estargz", At("layer.gz"));
        var dest = At("applied");
        Directory.CreateDirectory(dest);
        var result = CliRunner.Run("apply", At("layer.gz"), dest);
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.False(File.Exists(Path.Combine(dest, "stargz.index.json")));
        Assert.False(File.Exists(Path.Combine(dest, ".no.prefetch.landmark")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(_tree.Upper, "blob.bin")), File.ReadAllBytes(Path.Combine(dest, "blob.bin")));
    }

    private static string Blob(string layout, string digest) => Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]);

    private static string DiffId(JsonDocument descriptor) =>
        descriptor.RootElement.GetProperty("annotations").GetProperty("containerd.io/uncompressed").GetString()!;

    private JsonDocument Diff(string compression, string output)
    {
        var result = CliRunner.Run("diff", "--upper", _tree.Upper, "--lower", _tree.Lower, "--compression", compression, "-o", output);
        Assert.True(result.ExitCode == 0, result.StdErr);
        return JsonDocument.Parse(result.StdOut);
    }
}
