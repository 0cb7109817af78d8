using System.Text.Json;
using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Oci;
using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Oci;

/// <summary>
/// Real OCI clients as the oracle: skopeo reads the layout (and copies it, checking every digest),
/// umoci unpacks the image into a runtime bundle whose rootfs must hold the files the layers did.
/// </summary>
public sealed class OciClientTests : IDisposable
{
    private readonly ScratchDirectory _scratch = ScratchDirectory.Create("pd-ociclient-");

    public void Dispose() => _scratch.Dispose();

    private string At(string name) => Path.Combine(_scratch.Path, name);

    /// <summary>A layer of a plain directory (a bottom-most snapshot) exported by our own exporter and moved into the layout.</summary>
    private LayerDescriptor ExportLayer(OciLayout layout, string tree, LayerCompression compression)
    {
        var output = At(Path.GetFileName(tree) + ".blob");
        var result = SequentialLayerExporter.Export(
            Snapshot.OfOverlay(tree, []), LayerOptions.Default, CompressionSettings.For(compression), output, _ => { }, CancellationToken.None);
        layout.AddBlobFile(output, result.Descriptor.Digest, move: true);
        return result.Descriptor;
    }

    private static string Run(string tool, params string[] arguments)
    {
        var result = ExternalCommand.Run(tool, arguments);
        Assert.True(result.Succeeded, ExternalCommand.Describe(tool, arguments, result));
        return result.StandardOutput;
    }

    [RequiresToolsFact("skopeo", "umoci")]
    public void Skopeo_and_umoci_should_read_an_image_we_wrote()
    {
        Directory.CreateDirectory(At("base/etc"));
        File.WriteAllText(At("base/etc/greeting"), "hello\n");
        Directory.CreateDirectory(At("top/app"));
        File.WriteAllText(At("top/app/run.sh"), "#!/bin/sh\necho hi\n");
        File.WriteAllText(At("top/etc-note"), "from the top layer\n");

        var layout = OciLayout.Open(At("layout"));
        LayerDescriptor[] layers = [ExportLayer(layout, At("base"), LayerCompression.Gzip), ExportLayer(layout, At("top"), LayerCompression.None)];
        var image = ImageWriter.Write(layout, layers, "v1");

        using (var inspect = JsonDocument.Parse(Run("skopeo", "inspect", $"oci:{At("layout")}:v1")))
        {
            Assert.Equal(image.Manifest.Digest, inspect.RootElement.GetProperty("Digest").GetString());
            Assert.Equal(layers.Select(l => l.Digest), inspect.RootElement.GetProperty("Layers").EnumerateArray().Select(l => l.GetString()));
            Assert.Equal(ImageConfig.Default.Platform.Architecture, inspect.RootElement.GetProperty("Architecture").GetString());
            Assert.Equal("linux", inspect.RootElement.GetProperty("Os").GetString());
        }

        using (var config = JsonDocument.Parse(Run("skopeo", "inspect", "--config", $"oci:{At("layout")}:v1")))
        {
            Assert.Equal(layers.Select(l => l.DiffId), config.RootElement.GetProperty("rootfs").GetProperty("diff_ids").EnumerateArray().Select(d => d.GetString()));
        }

        // A copy reads every blob and checks it against its digest and size.
        Run("skopeo", "copy", "--quiet", $"oci:{At("layout")}:v1", $"oci:{At("copy")}:v1");

        string[] unpack = Privileges.IsRoot ? ["unpack", "--image", $"{At("layout")}:v1", At("bundle")] : ["unpack", "--rootless", "--image", $"{At("layout")}:v1", At("bundle")];
        Run("umoci", unpack);

        Assert.Equal("hello\n", File.ReadAllText(At("bundle/rootfs/etc/greeting")));
        Assert.Equal("#!/bin/sh\necho hi\n", File.ReadAllText(At("bundle/rootfs/app/run.sh")));
        Assert.Equal("from the top layer\n", File.ReadAllText(At("bundle/rootfs/etc-note")));
        Assert.True(File.Exists(At("bundle/config.json")));
    }

    [RequiresToolsFact("skopeo")]
    public void Skopeo_should_see_every_tag_of_a_layout_written_by_several_writers()
    {
        Directory.CreateDirectory(At("tree"));
        File.WriteAllText(At("tree/file"), "x");
        var layout = OciLayout.Open(At("layout"));
        var layer = ExportLayer(layout, At("tree"), LayerCompression.Gzip);

        Parallel.For(0, 4, i => ImageWriter.Write(OciLayout.Open(At("layout")), [layer], $"tag{i}", new ImageConfig { Author = $"writer {i}" }));

        for (var i = 0; i < 4; i++)
        {
            using var inspect = JsonDocument.Parse(Run("skopeo", "inspect", "--config", $"oci:{At("layout")}:tag{i}"));
            Assert.Equal($"writer {i}", inspect.RootElement.GetProperty("author").GetString());
        }
    }
}
