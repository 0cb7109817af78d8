using System.Diagnostics;
using System.Text.Json;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>
/// Outputs never damage what is at or near them: a device, FIFO, symbolic link or directory at the
/// path is refused before any work, as is an output inside the snapshot being exported; a bad output
/// path fails before the upper is read; and leftovers of killed runs are cleared without touching a
/// live writer's file.
/// </summary>
public sealed class OutputSafetyTests : IDisposable
{
    private readonly SampleTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Fact]
    public void Diff_should_refuse_a_fifo_as_output_and_leave_it_alone()
    {
        var fifo = Path.Combine(_tree.Root, "fifo");
        Assert.Equal(0, Tool("mkfifo", fifo));
        AssertRefused(["-o", fifo], [fifo, "FIFO", "not a regular file"]);
        Assert.Equal("fifo", Type(fifo));
    }

    [Fact]
    public void Diff_should_refuse_a_character_device_as_output_and_leave_it_alone()
    {
        if (!Privileges.IsRoot)
        {
            return; // mknod needs root; CI runs as root
        }

        var device = Path.Combine(_tree.Root, "nulldev");
        Assert.Equal(0, Tool("mknod", device, "c", "1", "3"));
        AssertRefused(["-o", device], [device, "character device"]);
        Assert.Equal("character special file", Type(device));
    }

    [Fact]
    public void Diff_should_refuse_a_symbolic_link_as_output_and_leave_its_target_alone()
    {
        var target = Path.Combine(_tree.Root, "precious");
        File.WriteAllText(target, "keep me");
        var link = Path.Combine(_tree.Root, "link");
        File.CreateSymbolicLink(link, target);
        AssertRefused(["-o", link], [link, "symbolic link"]);
        Assert.Equal("keep me", File.ReadAllText(target));
        Assert.NotNull(new FileInfo(link).LinkTarget);
    }

    [Fact]
    public void Report_should_refuse_a_fifo_before_the_layer_is_written()
    {
        var fifo = Path.Combine(_tree.Root, "report-fifo");
        Assert.Equal(0, Tool("mkfifo", fifo));
        AssertRefused(["-o", Path.Combine(_tree.Output, "layer.tgz"), "--report", fifo], ["--report", fifo, "FIFO"]);
    }

    [Fact]
    public void Diff_should_refuse_an_output_inside_the_upper_and_leave_the_snapshot_unchanged()
    {
        var victim = Path.Combine(_tree.Upper, "usr", "lib", "lib3.so");
        var before = File.ReadAllBytes(victim);
        AssertRefused(["-o", victim], [victim, "inside the snapshot's upper"]);
        Assert.Equal(before, File.ReadAllBytes(victim));
        Assert.Empty(Directory.GetFiles(Path.Combine(_tree.Upper, "usr", "lib"), ".*"));
    }

    [Fact]
    public void Diff_should_refuse_an_output_inside_a_lower_even_through_a_symbolic_link()
    {
        var alias = Path.Combine(_tree.Root, "lower-alias");
        Directory.CreateSymbolicLink(alias, _tree.Lower);
        AssertRefused(["-o", Path.Combine(alias, "etc", "new.tgz")], ["inside the snapshot's lower"]);
        Assert.False(File.Exists(Path.Combine(_tree.Lower, "etc", "new.tgz")));
    }

    [Fact]
    public void Diff_should_refuse_an_output_inside_the_upper_even_through_a_bind_mount()
    {
        if (!Privileges.IsRoot)
        {
            return; // mount --bind needs root; CI runs as root
        }

        // The same directory under another path, with no symbolic link to resolve: only its device
        // and inode say it is the upper.
        var alias = Path.Combine(_tree.Root, "upper-bound");
        Directory.CreateDirectory(alias);
        Assert.Equal(0, Tool("mount", "--bind", _tree.Upper, alias));
        try
        {
            AssertRefused(["-o", Path.Combine(alias, "usr", "new.tgz")], ["inside the snapshot's upper"]);
            Assert.False(File.Exists(Path.Combine(_tree.Upper, "usr", "new.tgz")));
        }
        finally
        {
            Assert.Equal(0, Tool("umount", alias));
        }
    }

    [Fact]
    public void Oci_layout_inside_the_upper_should_be_refused_and_not_created()
    {
        var layout = Path.Combine(_tree.Upper, "var", "layout");
        AssertRefused(["--oci-layout", layout], ["--oci-layout", "inside the snapshot's upper"]);
        Assert.False(Directory.Exists(Path.Combine(_tree.Upper, "var")));
    }

    [Fact]
    public void Report_inside_a_lower_should_be_refused()
    {
        AssertRefused(["-o", Path.Combine(_tree.Output, "l.tgz"), "--report", Path.Combine(_tree.Lower, "r.json")], ["--report", "inside the snapshot's lower"]);
        Assert.False(File.Exists(Path.Combine(_tree.Lower, "r.json")));
    }

    [Fact]
    public void Output_that_is_a_directory_should_be_refused_before_the_upper_is_read()
    {
        // An unreadable upper would fail the read; the output check must come first and name -o.
        var result = CliRunner.Run("diff", "--upper", _tree.Upper, "--lower", _tree.Lower, "-o", _tree.Output);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"-o {_tree.Output}: is a directory", result.StdErr, StringComparison.Ordinal);
        Assert.Empty(result.StdOut);
        Assert.Empty(Directory.GetFileSystemEntries(_tree.Output));
        Assert.Empty(Directory.GetFiles(_tree.Root, ".*"));
    }

    [Fact]
    public void Empty_output_should_be_a_usage_error_in_our_words()
    {
        var result = CliRunner.Run("diff", "--upper", _tree.Upper, "-o", string.Empty);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("-o: empty path", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("Parameter", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void Oci_layout_that_is_a_file_should_say_so()
    {
        var file = Path.Combine(_tree.Root, "not-a-layout");
        File.WriteAllText(file, "x");
        var result = CliRunner.Run("diff", "--upper", _tree.Upper, "--oci-layout", file);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"--oci-layout {file}: not a directory", result.StdErr, StringComparison.Ordinal);
        Assert.Equal("x", File.ReadAllText(file));
    }

    [Fact]
    public void Export_report_into_a_missing_folder_should_fail_before_any_work()
    {
        var jobs = Path.Combine(_tree.Root, "jobs.json");
        File.WriteAllText(jobs, JsonSerializer.Serialize(new[] { new Dictionary<string, string> { ["id"] = "a", ["upper"] = _tree.Upper } }));
        var layout = Path.Combine(_tree.Output, "layout");
        var result = CliRunner.Run("export", "--jobs", jobs, "--oci-layout", layout, "--report", Path.Combine(_tree.Root, "missing", "r.json"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--report", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("no such file or directory", result.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(layout), "the export ran before the report's folder was checked");
    }

    [Fact]
    public void Export_layout_inside_a_jobs_upper_should_be_refused()
    {
        var jobs = Path.Combine(_tree.Root, "jobs.json");
        File.WriteAllText(jobs, JsonSerializer.Serialize(new[] { new Dictionary<string, string> { ["id"] = "a", ["upper"] = _tree.Upper } }));
        var layout = Path.Combine(_tree.Upper, "layout");
        var result = CliRunner.Run("export", "--jobs", jobs, "--oci-layout", layout);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("inside the snapshot's a upper", result.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(layout));
    }

    [Fact]
    public void A_rerun_should_remove_a_killed_runs_temporary_file_but_not_a_live_writers()
    {
        var output = Path.Combine(_tree.Output, "layer.tgz");
        var orphan = Path.Combine(_tree.Output, ".layer.tgz.tmp-0123456789ab");
        File.WriteAllBytes(orphan, new byte[4096]);
        File.SetLastWriteTimeUtc(orphan, DateTime.UtcNow.AddMinutes(-5));
        var live = Path.Combine(_tree.Output, ".layer.tgz.tmp-ba9876543210");
        File.WriteAllBytes(live, new byte[10]);
        File.SetLastWriteTimeUtc(live, DateTime.UtcNow.AddMinutes(-5));

        // A live writer: another process holding the temporary file open.
        using var holder = Process.Start(new ProcessStartInfo("bash", ["-c", $"exec 3>>'{live}'; sleep 60"]))!;
        try
        {
            WaitUntilOpen(holder.Id, live);
            var result = CliRunner.Run("diff", "--upper", _tree.Upper, "--lower", _tree.Lower, "-o", output);
            Assert.True(result.ExitCode == 0, result.StdErr);
            Assert.False(File.Exists(orphan), "the killed run's temporary file is still there");
            Assert.True(File.Exists(live), "a live writer's temporary file was removed");
            Assert.True(File.Exists(output));
        }
        finally
        {
            holder.Kill();
        }
    }

    private void AssertRefused(string[] outputArgs, string[] mentions)
    {
        var result = CliRunner.Run(["diff", "--upper", _tree.Upper, "--lower", _tree.Lower, .. outputArgs]);
        Assert.True(result.ExitCode == 1, $"exit {result.ExitCode}: {result.StdErr}");
        foreach (var m in mentions)
        {
            Assert.Contains(m, result.StdErr, StringComparison.Ordinal);
        }

        Assert.Empty(result.StdOut);
        Assert.Single(result.StdErr.Trim().Split('\n'));
    }

    private static void WaitUntilOpen(int pid, string path)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Any(fd => new FileInfo(fd).LinkTarget == path))
                {
                    return;
                }
            }
            catch (IOException)
            {
            }

            Thread.Sleep(20);
        }

        throw new TimeoutException($"{path} was never opened by {pid}");
    }

    private static int Tool(string name, params string[] args)
    {
        using var p = Process.Start(name, args);
        p.WaitForExit();
        return p.ExitCode;
    }

    /// <summary>What stat(1) calls the file's type ("fifo", "character special file", …).</summary>
    private static string Type(string path)
    {
        using var p = Process.Start(new ProcessStartInfo("stat", ["-c", "%F", path]) { RedirectStandardOutput = true })!;
        var type = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return type;
    }
}
