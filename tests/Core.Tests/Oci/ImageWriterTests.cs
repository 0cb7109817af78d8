using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Oci;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Oci;

/// <summary>The image config and manifest: their fields (config.md, manifest.md), their digests, and their stability.</summary>
public sealed class ImageWriterTests : IDisposable
{
    private static readonly string DiffId = "sha256:" + new string('d', 64);
    private static readonly OciPlatform Amd64 = new("amd64", "linux");

    private readonly ScratchDirectory _scratch = ScratchDirectory.Create("pd-ociimg-");

    public void Dispose() => _scratch.Dispose();

    private static string Sha256(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>A stored fake layer blob, described as the exporter describes layers (with its diffID).</summary>
    private static LayerDescriptor StoreLayer(OciLayout layout, string content)
    {
        var bytes = Encoding.UTF8.GetBytes(content);
        layout.AddBlob(new MemoryStream(bytes), Sha256(bytes));
        return new LayerDescriptor(MediaTypes.LayerTarGzip, Sha256(bytes), bytes.Length, DiffId);
    }

    [Fact]
    public void The_config_should_name_platform_and_diff_ids_and_nothing_that_varies()
    {
        var layer = new LayerDescriptor(MediaTypes.LayerTarGzip, "sha256:" + new string('b', 64), 10, DiffId);

        var json = Encoding.UTF8.GetString(ImageWriter.ConfigJson([layer], new ImageConfig { Platform = Amd64 }));

        Assert.Equal("""{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[""" + $"\"{DiffId}\"" + "]}}", json);
    }

    [Fact]
    public void Created_author_variant_and_history_should_appear_when_given()
    {
        var config = new ImageConfig
        {
            Platform = new OciPlatform("arm", "linux", "v7"),
            Created = new DateTimeOffset(2024, 5, 6, 9, 8, 9, TimeSpan.FromHours(2)),
            Author = "me",
            History =
            [
                new ImageHistoryEntry { CreatedBy = "paralleldiff", Created = new DateTimeOffset(2024, 5, 6, 7, 8, 9, 500, TimeSpan.Zero) },
                new ImageHistoryEntry { Comment = "metadata only", EmptyLayer = true },
            ],
        };
        var layer = new LayerDescriptor(MediaTypes.LayerTar, DiffId, 10, DiffId);

        var json = Encoding.UTF8.GetString(ImageWriter.ConfigJson([layer], config));

        Assert.Equal(
            """{"created":"2024-05-06T07:08:09Z","author":"me","architecture":"arm","os":"linux","variant":"v7","config":{},"rootfs":{"type":"layers","diff_ids":["""
            + $"\"{DiffId}\"" + "]},"
            + "\"history\":" + """[{"created":"2024-05-06T07:08:09.5Z","created_by":"paralleldiff"},{"comment":"metadata only","empty_layer":true}]}""",
            json);
    }

    [Fact]
    public void History_that_does_not_match_the_layers_should_be_refused()
    {
        var config = new ImageConfig { History = [new ImageHistoryEntry(), new ImageHistoryEntry()] };

        var e = Assert.Throws<ArgumentException>(() => ImageWriter.ConfigJson([new LayerDescriptor(MediaTypes.LayerTar, DiffId, 1, DiffId)], config));

        Assert.Contains("2 entries that add a layer, but the image has 1 layers", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_manifest_should_list_config_and_layers_without_layer_annotations()
    {
        var config = new OciDescriptor(OciMediaTypes.ImageConfig, "sha256:" + new string('c', 64), 123);
        var layer = new LayerDescriptor(MediaTypes.LayerTarZstd, "sha256:" + new string('e', 64), 456, DiffId);

        var json = Encoding.UTF8.GetString(ImageWriter.ManifestJson(config, [layer]));

        Assert.Equal(
            """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"""
            + $"\"{config.Digest}\"" + ""","size":123},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+zstd","digest":"""
            + $"\"{layer.Digest}\"" + ""","size":456}]}""",
            json);
        Assert.DoesNotContain(LayerDescriptor.UncompressedAnnotation, json, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_should_store_config_and_manifest_under_their_digests_and_tag_the_manifest()
    {
        var layout = OciLayout.Open(Path.Combine(_scratch.Path, "a"));
        LayerDescriptor[] layers = [StoreLayer(layout, "base layer"), StoreLayer(layout, "top layer")];

        var image = ImageWriter.Write(layout, layers, "v1", new ImageConfig { Platform = Amd64 });

        var manifestBytes = File.ReadAllBytes(layout.BlobPath(image.Manifest.Digest));
        var configBytes = File.ReadAllBytes(layout.BlobPath(image.Config.Digest));
        Assert.Equal(image.Manifest.Digest, Sha256(manifestBytes));
        Assert.Equal(image.Manifest.Size, manifestBytes.Length);
        Assert.Equal(image.Config.Digest, Sha256(configBytes));
        Assert.Equal(image.Config.Size, configBytes.Length);

        using var manifest = JsonDocument.Parse(manifestBytes);
        Assert.Equal(image.Config.Digest, manifest.RootElement.GetProperty("config").GetProperty("digest").GetString());
        Assert.Equal(layers.Select(l => l.Digest), manifest.RootElement.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()));
        using var config = JsonDocument.Parse(configBytes);
        Assert.Equal([DiffId, DiffId], config.RootElement.GetProperty("rootfs").GetProperty("diff_ids").EnumerateArray().Select(d => d.GetString()));

        using var index = JsonDocument.Parse(File.ReadAllBytes(layout.IndexPath));
        var entry = Assert.Single(index.RootElement.GetProperty("manifests").EnumerateArray());
        Assert.Equal(image.Manifest.Digest, entry.GetProperty("digest").GetString());
        Assert.Equal(OciMediaTypes.ImageManifest, entry.GetProperty("mediaType").GetString());
        Assert.Equal("v1", entry.GetProperty("annotations").GetProperty(OciMediaTypes.RefNameAnnotation).GetString());
        Assert.Equal("amd64", entry.GetProperty("platform").GetProperty("architecture").GetString());
    }

    [Fact]
    public void The_same_layers_should_give_the_same_digests_in_any_layout()
    {
        var first = OciLayout.Open(Path.Combine(_scratch.Path, "a"));
        var second = OciLayout.Open(Path.Combine(_scratch.Path, "b"));

        var a = ImageWriter.Write(first, [StoreLayer(first, "same")], "x");
        var b = ImageWriter.Write(second, [StoreLayer(second, "same")], "y");

        Assert.Equal(a.Manifest.Digest, b.Manifest.Digest);
        Assert.Equal(a.Config.Digest, b.Config.Digest);
    }

    [Fact]
    public void Write_should_refuse_a_layer_that_is_not_stored()
    {
        var layout = OciLayout.Open(Path.Combine(_scratch.Path, "a"));
        var missing = new LayerDescriptor(MediaTypes.LayerTar, "sha256:" + new string('9', 64), 1, DiffId);

        var e = Assert.Throws<InvalidOperationException>(() => ImageWriter.Write(layout, [missing], "v1"));

        Assert.Contains(missing.Digest, e.Message, StringComparison.Ordinal);
        Assert.Empty(layout.Manifests());
    }

    [Fact]
    public void The_default_platform_should_be_linux_on_this_machine()
    {
        Assert.Equal("linux", ImageConfig.Default.Platform.Os);
        if (RuntimeInformation.OSArchitecture == Architecture.X64)
        {
            Assert.Equal(new OciPlatform("amd64", "linux"), ImageConfig.Default.Platform);
        }

        Assert.Equal(new OciPlatform("arm64", "linux"), OciPlatform.ForArchitecture(Architecture.Arm64));
        Assert.Equal(new OciPlatform("arm", "linux", "v7"), OciPlatform.ForArchitecture(Architecture.Arm));
        Assert.Throws<PlatformNotSupportedException>(() => OciPlatform.ForArchitecture(Architecture.Wasm));
    }
}
