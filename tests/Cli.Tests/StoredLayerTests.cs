using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>
/// A layer the layout already holds for the same unchanged snapshot is taken from there: `image`
/// does not read a base again, and export jobs with "lower-layers" export each lower once per
/// layout. Traced with strace: "not read" means no file of the snapshot was opened. Any change to a
/// snapshot (even data rewritten with its mtime set back) makes its layer, and those above it, new.
/// </summary>
public sealed class StoredLayerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pd-stored-").FullName;

    public StoredLayerTests()
    {
        // bottom: a small distribution; middle over it: removes the docs (a whiteout), adds a config.
        Directory.CreateDirectory(Bottom("etc"));
        Directory.CreateDirectory(Bottom("usr", "share", "doc", "pkg"));
        File.WriteAllText(Bottom("etc", "os-release"), "ID=test\n");
        File.WriteAllText(Bottom("usr", "share", "doc", "pkg", "README"), "docs\n");
        File.WriteAllBytes(Bottom("base.bin"), [.. Enumerable.Range(0, 1 << 20).Select(i => (byte)(i * 7 % 253))]);
        Directory.CreateDirectory(Middle("etc"));
        Directory.CreateDirectory(Middle("usr", "share", "doc"));
        File.WriteAllText(Middle("etc", "app.conf"), "port=80\n");
        SystemTool.Check("mknod", Middle("usr", "share", "doc", "pkg"), "c", "0", "0");
    }

    public void Dispose() => SystemTool.Run("rm", "-rf", _root);

    private string Bottom(params string[] parts) => Path.Combine([_root, "bottom", .. parts]);

    private string Middle(params string[] parts) => Path.Combine([_root, "middle", .. parts]);

    private string Upper(string name)
    {
        var dir = Path.Combine(_root, name);
        Directory.CreateDirectory(Path.Combine(dir, "srv"));
        File.WriteAllText(Path.Combine(dir, "srv", name + ".txt"), $"{name}\n");
        return dir;
    }

    private string Lowers => $"{Middle()}:{Bottom()}";

    /// <summary>Runs the CLI under strace; returns its report's layers (id, status, digest) and the snapshot files it opened.</summary>
    private (IReadOnlyList<(string Id, string Status, string Digest)> Layers, IReadOnlyList<string> Opened) Traced(string report, params string[] args)
    {
        var (result, calls) = Strace.Run("openat,openat2,open", CliRunner.CommandLineOf(args)[0], [.. CliRunner.CommandLineOf(args).Skip(1), "--report", report]);
        Assert.True(result.ExitCode == 0, result.StdErr);
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var layers = json.RootElement.GetProperty("snapshots").EnumerateArray()
            .Select(s => (s.GetProperty("id").GetString()!, s.GetProperty("status").GetString()!, s.GetProperty("descriptor").GetProperty("digest").GetString()!))
            .ToList();
        string[] files = ["os-release", "README", "base.bin", "app.conf"];
        var opened = calls.Where(c => !c.Contains("O_DIRECTORY", StringComparison.Ordinal) && files.Any(f => c.Contains("/" + f + "\"", StringComparison.Ordinal))).ToList();
        return (layers, opened);
    }

    [RootWithToolsFact("strace")]
    public void Image_should_take_unchanged_layers_from_the_layout_without_opening_their_files()
    {
        var upper = Upper("app");
        var layout = Path.Combine(_root, "layout");
        string[] image = ["image", "--upper", upper, "--lower", Lowers, "--oci-layout", layout, "--tag", "app"];

        var (first, firstOpened) = Traced(Path.Combine(_root, "r1.json"), image);
        Assert.All(first, l => Assert.Equal("done", l.Status));
        Assert.NotEmpty(firstOpened);

        // Nothing changed: every layer is taken from the layout, no file of the stack opened.
        var (second, secondOpened) = Traced(Path.Combine(_root, "r2.json"), image);
        Assert.All(second, l => Assert.Equal("resumed", l.Status));
        Assert.Equal(first.Select(l => l.Digest), second.Select(l => l.Digest));
        Assert.Empty(secondOpened);

        // A new file in the upper: only the top layer is exported again.
        File.WriteAllText(Path.Combine(upper, "srv", "more.txt"), "more\n");
        var (third, thirdOpened) = Traced(Path.Combine(_root, "r3.json"), image);
        Assert.Equal(["resumed", "resumed", "done"], third.Select(l => l.Status));
        Assert.Equal(first.Take(2).Select(l => l.Digest), third.Take(2).Select(l => l.Digest));
        Assert.NotEqual(first[2].Digest, third[2].Digest);
        Assert.Empty(thirdOpened);

        // The bottom's data rewritten with its mtime set back: it and every layer over it are new.
        var mtime = File.GetLastWriteTimeUtc(Bottom("etc", "os-release"));
        File.WriteAllText(Bottom("etc", "os-release"), "ID=tst\n");
        File.SetLastWriteTimeUtc(Bottom("etc", "os-release"), mtime);
        var (fourth, _) = Traced(Path.Combine(_root, "r4.json"), image);
        Assert.All(fourth, l => Assert.Equal("done", l.Status));
        Assert.NotEqual(first[0].Digest, fourth[0].Digest);
    }

    [RootWithToolsFact("docker-registry", "skopeo")]
    public void Image_push_of_stored_layers_should_send_them_from_the_layout()
    {
        var upper = Upper("app");
        var layout = Path.Combine(_root, "layout");
        var first = CliRunner.Run("image", "--upper", upper, "--lower", Lowers, "--oci-layout", layout, "--tag", "app", "--created", "none");
        Assert.True(first.ExitCode == 0, first.StdErr);

        using var registry = Registry.LocalRegistry.Start();
        var reference = $"{registry.Address}/stack/app:v1";
        var report = Path.Combine(_root, "push.json");
        var pushed = CliRunner.Run("image", "--upper", upper, "--lower", Lowers, "--oci-layout", layout, "--tag", "app", "--created", "none", "--push", reference, "--report", report);
        Assert.True(pushed.ExitCode == 0, pushed.StdErr + registry.Said());
        Assert.Equal(first.StdOut, pushed.StdOut);

        // Every layer came from the layout (none read again) and went up whole: the registry holds the image.
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        Assert.All(json.RootElement.GetProperty("snapshots").EnumerateArray(), s => Assert.Equal("resumed", s.GetProperty("status").GetString()));
        var raw = SystemTool.Check("skopeo", "inspect", "--raw", "--tls-verify=false", $"docker://{reference}");
        Assert.Equal(
            JsonDocument.Parse(first.StdOut).RootElement.GetProperty("digest").GetString(),
            "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(raw))));
        var pulled = Path.Combine(_root, "pulled");
        SystemTool.Check("skopeo", "copy", "--src-tls-verify=false", $"docker://{reference}", $"oci:{pulled}:app");
        Assert.Equal(ImageLayers(layout, "app"), ImageLayers(pulled, "app"));
    }

    [RootWithToolsFact("strace", "umoci")]
    public void Export_jobs_with_lower_layers_should_store_each_lower_once_and_unpack_to_the_kernels_merged_view()
    {
        var jobsFile = Path.Combine(_root, "jobs.json");
        var jobs = new JsonArray();
        void AddJob(string id) => jobs.Add(new JsonObject { ["id"] = id, ["upper"] = Upper(id), ["lower"] = Lowers, ["lower-layers"] = true });
        foreach (var id in new[] { "a", "b", "c" })
        {
            AddJob(id);
        }

        File.WriteAllText(jobsFile, jobs.ToJsonString());
        var layout = Path.Combine(_root, "layout");
        var (first, firstOpened) = Traced(Path.Combine(_root, "r1.json"), "export", "--jobs", jobsFile, "--oci-layout", layout, "--quiet");
        Assert.All(first, j => Assert.Equal("done", j.Status));

        // Each lower was read by one job only: its files opened once, its layer recorded once.
        Assert.Single(firstOpened, c => c.Contains("/base.bin\"", StringComparison.Ordinal));
        Assert.Equal(2, Directory.GetFiles(Path.Combine(layout, ".paralleldiff", "layers")).Length);
        var images = first.Select(j => ImageLayers(layout, j.Id)).ToList();
        Assert.All(images, layers => Assert.Equal(3, layers.Count));
        Assert.All(images, layers => Assert.Equal(images[0].Take(2), layers.Take(2)));
        Assert.Equal(first.Select(j => j.Digest), images.Select(layers => layers[2]));

        // Unpacked, an image is what the kernel shows of its upper over the lowers.
        var bundle = Path.Combine(_root, "bundle");
        SystemTool.Check("umoci", "unpack", "--image", $"{layout}:b", bundle);
        using (var merged = ParallelDiff.Core.Tests.Support.OverlayMount.ReadOnly([Path.Combine(_root, "b"), Middle(), Bottom()]))
        {
            var compared = SystemTool.Run("diff", "-r", "--no-dereference", merged.MountPoint, Path.Combine(bundle, "rootfs"));
            Assert.True(compared.Succeeded, compared.StdOut + compared.StdErr);
        }

        // A new job on the same lowers, in a rerun: the lowers come from the layout, unread.
        AddJob("d");
        File.WriteAllText(jobsFile, jobs.ToJsonString());
        var (second, secondOpened) = Traced(Path.Combine(_root, "r2.json"), "export", "--jobs", jobsFile, "--oci-layout", layout, "--quiet");
        Assert.Equal(["resumed", "resumed", "resumed", "done"], second.Select(j => j.Status));
        Assert.Empty(secondOpened);
        Assert.Equal(images[0].Take(2), ImageLayers(layout, "d").Take(2));
    }

    /// <summary>The layer digests of a tagged image, bottom first, as skopeo's reader would list them (read from the layout's manifest).</summary>
    private static List<string> ImageLayers(string layout, string tag)
    {
        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(layout, "index.json")));
        var manifest = index.RootElement.GetProperty("manifests").EnumerateArray()
            .Single(m => m.GetProperty("annotations").GetProperty("org.opencontainers.image.ref.name").GetString() == tag)
            .GetProperty("digest").GetString()!;
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(layout, "blobs", "sha256", manifest["sha256:".Length..])));
        return json.RootElement.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()!).ToList();
    }
}
