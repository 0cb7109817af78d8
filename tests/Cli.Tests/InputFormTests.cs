using System.Text.Json;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>
/// Every input form of 'diff' (and of a job file) reaches the layer that --upper/--lower gives for
/// the same directories: the same diffID. Conflicting forms and options that cannot be honoured
/// are refused with a message that names them.
/// </summary>
public sealed class InputFormTests : IDisposable
{
    private readonly SampleTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private string At(string name) => Path.Combine(_tree.Root, name);

    private string Work => At("work");

    /// <summary>The diffID 'diff' prints for these input options (standard input optional).</summary>
    private string DiffId(string? stdin, params string[] input)
    {
        var output = At("layer-" + Guid.NewGuid().ToString("N"));
        string[] args = ["diff", .. input, "-o", output];
        var result = stdin is null ? CliRunner.Run(args) : CliRunner.RunWithInput(stdin, args);
        Assert.True(result.ExitCode == 0, $"{string.Join(' ', input)}: exit {result.ExitCode}: {result.StdErr}");
        using var descriptor = JsonDocument.Parse(result.StdOut);
        return descriptor.RootElement.GetProperty("annotations").GetProperty("containerd.io/uncompressed").GetString()!;
    }

    private string Explicit() => DiffId(null, "--upper", _tree.Upper, "--lower", _tree.Lower);

    [Fact]
    public void Mount_options_should_give_the_layer_of_their_upper_and_lowers()
    {
        Assert.Equal(Explicit(), DiffId(null, "--mount-options", $"lowerdir={_tree.Lower},upperdir={_tree.Upper},workdir={Work},index=off"));
    }

    [Fact]
    public void Mount_options_should_undo_the_kernels_escapes_in_paths()
    {
        // A ',' in a directory name is escaped as "\," in the data string (kernel overlayfs.rst).
        var upper = At("up,per");
        SystemTool.Check("cp", "-a", _tree.Upper, upper);
        var expected = DiffId(null, "--upper", upper, "--lower", _tree.Lower);
        Assert.Equal(expected, DiffId(null, "--mount-options", $"lowerdir={_tree.Lower},upperdir={upper.Replace(",", "\\,", StringComparison.Ordinal)},workdir={Work}"));
    }

    [Fact]
    public void An_option_BuildKit_refuses_should_still_be_honoured_with_the_same_layer()
    {
        // BuildKit walks instead for "volatile"; the overlay differ handles it, and the layer is the same.
        Assert.Equal(Explicit(), DiffId(null, "--mount-options", $"lowerdir={_tree.Lower},upperdir={_tree.Upper},workdir={Work},volatile"));
    }

    [Fact]
    public void Containerd_mount_json_from_a_file_or_stdin_should_give_the_same_layer()
    {
        var json = JsonSerializer.Serialize(new[]
        {
            new { type = "overlay", source = "overlay", options = new[] { "index=off", $"workdir={Work}", $"upperdir={_tree.Upper}", $"lowerdir={_tree.Lower}" } },
        });
        File.WriteAllText(At("mounts.json"), json);
        var expected = Explicit();
        Assert.Equal(expected, DiffId(null, "--mount-json", At("mounts.json")));
        Assert.Equal(expected, DiffId(json, "--mount-json", "-"));
    }

    [Fact]
    public void A_containerd_bind_mount_should_be_a_bottom_most_snapshot()
    {
        var json = JsonSerializer.Serialize(new[] { new { type = "bind", source = _tree.Upper, options = new[] { "rbind", "ro" } } });
        Assert.Equal(DiffId(null, "--upper", _tree.Upper), DiffId(json, "--mount-json", "-"));
    }

    [Fact]
    public void A_docker_overlay2_layer_should_give_the_layer_of_its_diff_over_its_lowers()
    {
        var root = At("docker/overlay2");
        Directory.CreateDirectory(Path.Combine(root, "l"));
        Directory.CreateDirectory(Path.Combine(root, "base1"));
        Directory.CreateDirectory(Path.Combine(root, "top1"));
        SystemTool.Check("cp", "-a", _tree.Lower, Path.Combine(root, "base1", "diff"));
        SystemTool.Check("cp", "-a", _tree.Upper, Path.Combine(root, "top1", "diff"));
        File.CreateSymbolicLink(Path.Combine(root, "l", "BASESHORT"), "../base1/diff");
        File.WriteAllText(Path.Combine(root, "top1", "lower"), "l/BASESHORT");

        Assert.Equal(Explicit(), DiffId(null, "--docker-layer", Path.Combine(root, "top1")));
        Assert.Equal(DiffId(null, "--upper", _tree.Lower), DiffId(null, "--docker-layer", Path.Combine(root, "base1")));
    }

    [RootFact]
    public void A_live_mount_point_should_give_the_layer_of_the_overlay_mounted_there()
    {
        using var overlay = WritableOverlay.Mount(_tree.Upper, Work, [_tree.Lower], At("merged"));
        Assert.Equal(Explicit(), DiffId(null, "--mountpoint", overlay.MountPoint));
    }

    [Fact]
    public void A_job_file_should_reach_the_same_layers_in_every_form()
    {
        var mounts = new[] { new { type = "overlay", source = "overlay", options = new[] { $"workdir={Work}", $"upperdir={_tree.Upper}", $"lowerdir={_tree.Lower}" } } };
        File.WriteAllText(At("mounts.json"), JsonSerializer.Serialize(mounts));
        var jobs = new List<Dictionary<string, object>>
        {
            new() { ["id"] = "explicit", ["upper"] = _tree.Upper, ["lower"] = _tree.Lower },
            new() { ["id"] = "relative", ["upper"] = "upper", ["lower"] = new[] { "lower" } },
            new() { ["id"] = "options", ["mount-options"] = $"lowerdir={_tree.Lower},upperdir={_tree.Upper},workdir={Work}" },
            new() { ["id"] = "json-file", ["mount-json"] = "mounts.json" },
            new() { ["id"] = "json-inline", ["mounts"] = mounts },
        };
        File.WriteAllText(At("jobs.json"), JsonSerializer.Serialize(jobs));

        var result = CliRunner.Run("export", "--jobs", At("jobs.json"), "--oci-layout", At("layout"), "--report", At("report.json"), "--quiet");

        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Empty(result.StdErr);
        using var report = JsonDocument.Parse(File.ReadAllText(At("report.json")));
        var diffIds = report.RootElement.GetProperty("snapshots").EnumerateArray().ToDictionary(s => s.GetProperty("id").GetString()!, s => s.GetProperty("diffID").GetString()!);
        Assert.Equal(5, diffIds.Count);
        Assert.All(diffIds.Values, d => Assert.Equal(Explicit(), d));
    }

    [Theory]
    [InlineData("--upper/--lower and --mount-options", "--upper", "U", "--mount-options", "lowerdir=/a,upperdir=/b,workdir=/c")]
    [InlineData("--docker-layer and --mount-json", "--docker-layer", "/x", "--mount-json", "-")]
    [InlineData("--from and --to go together", "--from", "/x")]
    [InlineData("--lower needs --upper", "--lower", "/x")]
    [InlineData("--userxattr applies to", "--mount-options", "lowerdir=/a,upperdir=/b,workdir=/c", "--userxattr")]
    [InlineData("no snapshot given")]
    public void Conflicting_or_missing_inputs_should_be_usage_errors_that_name_them(string message, params string[] input)
    {
        var result = CliRunner.Run(["diff", .. input, "-o", At("never")]);
        Assert.True(result.ExitCode == 2, result.StdErr);
        Assert.Contains(message, result.StdErr, StringComparison.Ordinal);
        Assert.False(File.Exists(At("never")));
    }

    [Theory]
    [InlineData(",index=on", "index=on")]
    [InlineData(",nfs_export=on", "index=on")]
    public void An_option_that_cannot_be_honoured_should_fail_saying_why(string extra, string named)
    {
        var result = CliRunner.Run("diff", "--mount-options", $"lowerdir={_tree.Lower},upperdir={_tree.Upper},workdir={Work}{extra}", "-o", At("never"));
        Assert.True(result.ExitCode == 1, result.StdErr);
        Assert.Contains(named, result.StdErr, StringComparison.Ordinal);
        Assert.False(File.Exists(At("never")));
    }

    [Fact]
    public void A_read_only_overlay_should_fail_for_want_of_an_upperdir()
    {
        var result = CliRunner.Run("diff", "--mount-options", $"lowerdir={_tree.Upper}:{_tree.Lower}", "-o", At("never"));
        Assert.True(result.ExitCode == 1, result.StdErr);
        Assert.Contains("no upperdir", result.StdErr, StringComparison.Ordinal);
    }
}
