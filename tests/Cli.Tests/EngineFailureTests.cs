using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>
/// A failure inside the actor engine's walk ends like any other: exit 1, one line on stderr naming
/// the path and the cause, nothing on stdout, no stack trace, and no output or empty layout left.
/// </summary>
public sealed class EngineFailureTests : IDisposable
{
    private const int Nobody = 65534;
    private readonly SampleTree _tree = new();
    private readonly string _engineConfig;

    public EngineFailureTests()
    {
        _engineConfig = _tree.WriteConfig(ActorPathTests.Actors + "\n");
        // Another user reads the tree and writes the output folder; the locked directory stays shut.
        File.SetUnixFileMode(_tree.Root, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(_tree.Output, (UnixFileMode)0b111_111_111);
        File.SetUnixFileMode(_engineConfig, (UnixFileMode)0b110_100_100);
        var locked = Path.Combine(_tree.Upper, "usr", "locked");
        Directory.CreateDirectory(locked);
        File.WriteAllText(Path.Combine(locked, "secret"), "s");
        File.SetUnixFileMode(locked, UnixFileMode.None);
    }

    public void Dispose()
    {
        File.SetUnixFileMode(Path.Combine(_tree.Upper, "usr", "locked"), (UnixFileMode)0b111_000_000);
        _tree.Dispose();
    }

    [RootFact]
    public void Unreadable_directory_on_the_engine_path_should_fail_with_one_line_and_exit_1()
    {
        var output = Path.Combine(_tree.Output, "layer.tgz");
        var result = CliRunner.RunAs(Nobody, "diff", "--upper", _tree.Upper, "--lower", _tree.Lower, "-o", output, "--config", _engineConfig);

        Assert.True(result.ExitCode == 1, $"exit {result.ExitCode}: {result.StdErr}");
        AssertOneLine(result, "usr/locked", "permission denied");
        Assert.Empty(Directory.GetFileSystemEntries(_tree.Output));
    }

    [RootFact]
    public void Unreadable_directory_with_a_new_layout_should_leave_no_layout_behind()
    {
        var layout = Path.Combine(_tree.Output, "layout");
        var result = CliRunner.RunAs(Nobody, "diff", "--upper", _tree.Upper, "--oci-layout", layout, "--tag", "x", "--config", _engineConfig);

        Assert.True(result.ExitCode == 1, $"exit {result.ExitCode}: {result.StdErr}");
        AssertOneLine(result, "usr/locked", "permission denied");
        Assert.False(Directory.Exists(layout), "the failed run left its new layout (lock file, empty index) behind");
    }

    [RootFact]
    public void Unreadable_directory_should_not_remove_a_layout_that_was_there_before()
    {
        var layout = Path.Combine(_tree.Output, "layout");
        Directory.CreateDirectory(layout);
        File.SetUnixFileMode(layout, (UnixFileMode)0b111_111_111);
        var result = CliRunner.RunAs(Nobody, "diff", "--upper", _tree.Upper, "--oci-layout", layout, "--config", _engineConfig);

        Assert.Equal(1, result.ExitCode);
        Assert.True(Directory.Exists(layout));
    }

    [RootFact]
    public void A_full_disk_on_the_engine_path_should_leave_stdout_empty_and_say_one_line()
    {
        var tiny = Directory.CreateDirectory(Path.Combine(_tree.Root, "tiny")).FullName;
        Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", tiny);
        try
        {
            // The sample upper's 3 MiB blob does not fit in 1 MiB.
            var output = Path.Combine(tiny, "layer.tar");
            var result = CliRunner.Run("diff", "--upper", _tree.Upper, "--compression", "none", "-o", output, "--config", _engineConfig);
            Assert.Equal(1, result.ExitCode);
            AssertOneLine(result, output, "No space left on device");
            Assert.DoesNotContain("Error in stage", result.StdErr, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFileSystemEntries(tiny));

            // Asked for, the engine's log and the stack trace follow on stderr, still not on stdout.
            var debug = CliRunner.Run("diff", "--upper", _tree.Upper, "--compression", "none", "-o", output, "--config", _engineConfig, "--log-level", "debug");
            Assert.Equal(1, debug.ExitCode);
            Assert.Empty(debug.StdOut);
            Assert.Contains("Error in stage", debug.StdErr, StringComparison.Ordinal);
            Assert.Contains("   at ", debug.StdErr, StringComparison.Ordinal);
        }
        finally
        {
            Run("umount", tiny);
        }
    }

    private static void Run(string tool, params string[] args)
    {
        using var p = System.Diagnostics.Process.Start(tool, args);
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }

    private static void AssertOneLine(CliRunner.Result result, params string[] mentions)
    {
        Assert.Empty(result.StdOut);
        var lines = result.StdErr.Trim().Split('\n');
        Assert.True(lines.Length == 1, $"{lines.Length} lines on stderr:\n{result.StdErr}");
        foreach (var m in mentions)
        {
            Assert.Contains(m, lines[0], StringComparison.Ordinal);
        }

        Assert.DoesNotContain(" at ", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", lines[0], StringComparison.Ordinal);
    }
}
