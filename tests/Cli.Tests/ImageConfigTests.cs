using System.Text.Json;
using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>
/// The image config from flags: what skopeo shows of it, the creation time from
/// --source-date-epoch, a history entry per layer naming its snapshot, and an image containerd
/// runs without being given a command.
/// </summary>
public sealed class ImageConfigTests : IDisposable
{
    private readonly SampleTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [RootWithToolsFact("skopeo")]
    public void Flags_should_reach_the_config_and_the_manifest_as_skopeo_reads_them()
    {
        var layout = Path.Combine(_tree.Output, "layout");
        var result = CliRunner.Run("diff", "--upper", _tree.Upper, "--lower", _tree.Lower, "--oci-layout", layout, "--tag", "app",
            "--cmd", "[\"/app\",\"--serve\"]", "--entrypoint", "exec tini --", "--env", "A=1", "--env", "PATH=/usr/bin:/bin",
            "--workdir", "/srv", "--user", "1000:1000", "--label", "team=infra", "--label", "tier=web", "--annotation", "org.example.note=hi",
            "--platform", "linux/arm64/v8", "--created", "2024-05-01T12:00:00Z");
        Assert.True(result.ExitCode == 0, result.StdErr);

        using var config = JsonDocument.Parse(SystemTool.Check("skopeo", "inspect", "--config", $"oci:{layout}:app"));
        var root = config.RootElement;
        var run = root.GetProperty("config");
        Assert.Equal(["/app", "--serve"], run.GetProperty("Cmd").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["/bin/sh", "-c", "exec tini --"], run.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["A=1", "PATH=/usr/bin:/bin"], run.GetProperty("Env").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("/srv", run.GetProperty("WorkingDir").GetString());
        Assert.Equal("1000:1000", run.GetProperty("User").GetString());
        Assert.Equal("web", run.GetProperty("Labels").GetProperty("tier").GetString());
        Assert.Equal("arm64", root.GetProperty("architecture").GetString());
        Assert.Equal("v8", root.GetProperty("variant").GetString());
        Assert.Equal("2024-05-01T12:00:00Z", root.GetProperty("created").GetString());
        var history = Assert.Single(root.GetProperty("history").EnumerateArray());
        Assert.Contains(_tree.Upper, history.GetProperty("created_by").GetString(), StringComparison.Ordinal);

        using var manifest = JsonDocument.Parse(SystemTool.Check("skopeo", "inspect", "--raw", $"oci:{layout}:app"));
        Assert.Equal("hi", manifest.RootElement.GetProperty("annotations").GetProperty("org.example.note").GetString());
    }

    [RootWithToolsFact("skopeo")]
    public void Source_date_epoch_should_set_created_and_the_same_input_the_same_image()
    {
        var digests = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var layout = Path.Combine(_tree.Output, $"layout-{i}");
            var result = CliRunner.Run("image", "--upper", _tree.Upper, "--lower", _tree.Lower, "--oci-layout", layout, "--tag", "app", "--source-date-epoch", "1700000000");
            Assert.True(result.ExitCode == 0, result.StdErr);
            digests.Add(JsonDocument.Parse(result.StdOut).RootElement.GetProperty("digest").GetString()!);
            using var config = JsonDocument.Parse(SystemTool.Check("skopeo", "inspect", "--config", $"oci:{layout}:app"));
            Assert.Equal("2023-11-14T22:13:20Z", config.RootElement.GetProperty("created").GetString());
            Assert.Equal(2, config.RootElement.GetProperty("history").GetArrayLength());
        }

        Assert.Equal(digests[0], digests[1]);
    }

    [Fact]
    public void Created_should_default_to_now_and_none_should_leave_it_out()
    {
        var before = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var now = ConfigOf("now");
        var after = DateTimeOffset.UtcNow;
        var created = DateTimeOffset.Parse(now.GetProperty("created").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(created, before, after);
        Assert.Equal(created, DateTimeOffset.Parse(now.GetProperty("history")[0].GetProperty("created").GetString()!, System.Globalization.CultureInfo.InvariantCulture));

        var none = ConfigOf("none", "--created", "none");
        Assert.False(none.TryGetProperty("created", out _));
        Assert.False(none.GetProperty("history")[0].TryGetProperty("created", out _));

        JsonElement ConfigOf(string name, params string[] extra)
        {
            var layout = Path.Combine(_tree.Output, name);
            var result = CliRunner.Run(["diff", "--upper", _tree.Upper, "--lower", _tree.Lower, "--oci-layout", layout, "--tag", "app", .. extra]);
            Assert.True(result.ExitCode == 0, result.StdErr);
            var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(layout, "index.json"))).RootElement;
            var manifest = JsonDocument.Parse(File.ReadAllText(BlobPath(layout, index.GetProperty("manifests")[0].GetProperty("digest").GetString()!))).RootElement;
            return JsonDocument.Parse(File.ReadAllText(BlobPath(layout, manifest.GetProperty("config").GetProperty("digest").GetString()!))).RootElement;
        }

        static string BlobPath(string layout, string digest) => Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]);
    }

    [RootWithToolsFact("containerd", "ctr", "runc")]
    public void Containerd_should_run_the_image_without_being_given_a_command()
    {
        var upper = Directory.CreateDirectory(Path.Combine(_tree.Root, "runnable", "bin")).Parent!.FullName;
        File.Copy("/bin/busybox", Path.Combine(upper, "bin", "busybox"));
        const string Name = "docker.io/library/paralleldiff-run:v1";
        var archive = Path.Combine(_tree.Output, "run.tar");
        var result = CliRunner.Run("diff", "--upper", upper, "--oci-archive", archive, "--tag", Name,
            "--entrypoint", "[\"/bin/busybox\"]", "--cmd", "[\"echo\",\"hello from the config\"]");
        Assert.True(result.ExitCode == 0, result.StdErr);

        using var containerd = ContainerdDaemon.Start();
        containerd.CheckCtr("images", "import", archive);
        var run = containerd.Ctr("run", "--rm", Name, $"pd-run-{Environment.ProcessId}");
        Assert.True(run.Succeeded, run.StdErr + run.StdOut);
        Assert.Contains("hello from the config", run.StdOut, StringComparison.Ordinal);
    }

    [RootWithToolsFact("skopeo")]
    public void Export_jobs_should_take_the_commands_flags_with_their_own_keys_over_them_and_write_the_archive()
    {
        var jobs = Path.Combine(_tree.Root, "jobs.json");
        var list = new System.Text.Json.Nodes.JsonArray(
            System.Text.Json.Nodes.JsonNode.Parse("""{"id": "a", "cmd": ["/bin/echo", "a"], "env": ["J=2"], "labels": {"x": "y"}}"""),
            System.Text.Json.Nodes.JsonNode.Parse("""{"id": "b"}"""));
        list[0]!["upper"] = _tree.Upper;
        list[1]!["upper"] = _tree.Upper;
        list[1]!["lower"] = _tree.Lower;
        File.WriteAllText(jobs, list.ToJsonString());
        var layout = Path.Combine(_tree.Output, "layout");
        var archive = Path.Combine(_tree.Output, "all.tar");
        var result = CliRunner.Run("export", "--jobs", jobs, "--oci-layout", layout, "--oci-archive", archive, "--quiet",
            "--cmd", "[\"/bin/true\"]", "--env", "BASE=1", "--source-date-epoch", "1700000000");
        Assert.True(result.ExitCode == 0, result.StdErr);

        JsonElement Config(string tag) => JsonDocument.Parse(SystemTool.Check("skopeo", "inspect", "--config", $"oci-archive:{archive}:{tag}")).RootElement;
        var a = Config("a");
        Assert.Equal(["/bin/echo", "a"], a.GetProperty("config").GetProperty("Cmd").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["BASE=1", "J=2"], a.GetProperty("config").GetProperty("Env").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("y", a.GetProperty("config").GetProperty("Labels").GetProperty("x").GetString());
        var b = Config("b");
        Assert.Equal(["/bin/true"], b.GetProperty("config").GetProperty("Cmd").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["BASE=1"], b.GetProperty("config").GetProperty("Env").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("2023-11-14T22:13:20Z", b.GetProperty("created").GetString());
    }

    [RootWithToolsFact("umoci", "skopeo")]
    public void Export_job_with_a_base_should_give_an_image_whose_rootfs_is_base_plus_snapshot()
    {
        // The base: the lower as an image of its own, with a command and an environment.
        var baseLayout = Path.Combine(_tree.Root, "base");
        var made = CliRunner.Run("diff", "--upper", _tree.Lower, "--oci-layout", baseLayout, "--tag", "base", "--cmd", "[\"/bin/sh\"]", "--env", "BASE=1");
        Assert.True(made.ExitCode == 0, made.StdErr);
        var baseLayer = JsonDocument.Parse(made.StdOut).RootElement.GetProperty("digest").GetString();

        var jobs = Path.Combine(_tree.Root, "jobs.json");
        var job = new System.Text.Json.Nodes.JsonObject { ["id"] = "app", ["upper"] = _tree.Upper, ["lower"] = _tree.Lower, ["base"] = baseLayout + ":base", ["env"] = new System.Text.Json.Nodes.JsonArray("APP=2") };
        File.WriteAllText(jobs, new System.Text.Json.Nodes.JsonArray(job).ToJsonString());
        var layout = Path.Combine(_tree.Output, "layout");
        var result = CliRunner.Run("export", "--jobs", jobs, "--oci-layout", layout, "--quiet");
        Assert.True(result.ExitCode == 0, result.StdErr);

        using var inspect = JsonDocument.Parse(SystemTool.Check("skopeo", "inspect", $"oci:{layout}:app"));
        var layers = inspect.RootElement.GetProperty("Layers").EnumerateArray().Select(l => l.GetString()).ToList();
        Assert.Equal(2, layers.Count);
        Assert.Equal(baseLayer, layers[0]);
        using var config = JsonDocument.Parse(SystemTool.Check("skopeo", "inspect", "--config", $"oci:{layout}:app"));
        var run = config.RootElement.GetProperty("config");
        Assert.Equal(["BASE=1", "APP=2"], run.GetProperty("Env").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["/bin/sh"], run.GetProperty("Cmd").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(2, config.RootElement.GetProperty("history").GetArrayLength());

        // Unpacked by umoci, the rootfs is what the kernel shows of the upper over the lower.
        var bundle = Path.Combine(_tree.Root, "bundle");
        SystemTool.Check("umoci", "unpack", "--image", $"{layout}:app", bundle);
        using var merged = ParallelDiff.Core.Tests.Support.OverlayMount.ReadOnly([_tree.Upper, _tree.Lower]);
        var compared = SystemTool.Run("diff", "-r", "--no-dereference", merged.MountPoint, Path.Combine(bundle, "rootfs"));
        Assert.True(compared.Succeeded, compared.StdOut + compared.StdErr);
    }

    [RootWithToolsFact("skopeo")]
    public void Config_from_should_start_from_another_images_settings_with_the_flags_over_them()
    {
        var from = Path.Combine(_tree.Root, "from");
        Assert.Equal(0, CliRunner.Run("diff", "--upper", _tree.Lower, "--oci-layout", from, "--tag", "base",
            "--cmd", "[\"/bin/base\"]", "--env", "A=1", "--workdir", "/base", "--platform", "linux/arm64").ExitCode);
        var layout = Path.Combine(_tree.Output, "layout");
        var result = CliRunner.Run("diff", "--upper", _tree.Upper, "--oci-layout", layout, "--tag", "app", "--config-from", from + ":base", "--workdir", "/app");
        Assert.True(result.ExitCode == 0, result.StdErr);

        using var config = JsonDocument.Parse(SystemTool.Check("skopeo", "inspect", "--config", $"oci:{layout}:app"));
        var run = config.RootElement.GetProperty("config");
        Assert.Equal(["/bin/base"], run.GetProperty("Cmd").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["A=1"], run.GetProperty("Env").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("/app", run.GetProperty("WorkingDir").GetString());
        Assert.Equal("arm64", config.RootElement.GetProperty("architecture").GetString());
        Assert.Single(config.RootElement.GetProperty("history").EnumerateArray());

        var missing = CliRunner.Run("diff", "--upper", _tree.Upper, "--oci-layout", layout, "--tag", "x", "--config-from", from + ":nope");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("no image with that tag", missing.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_jobs_bad_image_key_should_be_refused_before_any_snapshot_is_exported()
    {
        // Configs are made when each job is exported; the fields are still checked when the jobs are planned.
        var jobs = Path.Combine(_tree.Root, "bad-env-jobs.json");
        var list = new System.Text.Json.Nodes.JsonArray(
            System.Text.Json.Nodes.JsonNode.Parse("""{"id": "good"}"""),
            System.Text.Json.Nodes.JsonNode.Parse("""{"id": "bad", "env": ["NO_EQUALS_SIGN"]}"""));
        list[0]!["upper"] = _tree.Upper;
        list[1]!["upper"] = _tree.Upper;
        File.WriteAllText(jobs, list.ToJsonString());
        var layout = Path.Combine(_tree.Output, "never-written");

        var result = CliRunner.Run("export", "--jobs", jobs, "--oci-layout", layout, "--quiet");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("job \"bad\"", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("'NO_EQUALS_SIGN': give KEY=VALUE", result.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(layout), "the layout was made before the jobs were checked");

        // The command's own flags the same way, whichever job comes first.
        var flagged = CliRunner.Run("export", "--jobs", jobs, "--oci-layout", layout, "--quiet", "--env", "ALSO_BAD");
        Assert.Equal(2, flagged.ExitCode);
        Assert.Contains("'ALSO_BAD': give KEY=VALUE", flagged.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(layout));
    }

    [Fact]
    public void Config_flags_without_an_image_should_be_a_usage_error()
    {
        var result = CliRunner.Run("diff", "--upper", _tree.Upper, "-o", Path.Combine(_tree.Output, "l.tgz"), "--cmd", "true");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--cmd describes an image", result.StdErr, StringComparison.Ordinal);
    }
}
