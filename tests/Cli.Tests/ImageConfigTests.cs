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

    [Fact]
    public void Config_flags_without_an_image_should_be_a_usage_error()
    {
        var result = CliRunner.Run("diff", "--upper", _tree.Upper, "-o", Path.Combine(_tree.Output, "l.tgz"), "--cmd", "true");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--cmd describes an image", result.StdErr, StringComparison.Ordinal);
    }
}
