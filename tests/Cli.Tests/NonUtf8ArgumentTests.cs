using System.Diagnostics;
using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>
/// Linux paths are bytes, and .NET decodes argv as UTF-8 with replacement. A snapshot directory
/// whose name is not UTF-8 must still be found; an output path that .NET's file APIs cannot write
/// exactly must be refused, never written under another name.
/// </summary>
public sealed class NonUtf8ArgumentTests
{
    [Fact]
    public void Upper_named_with_bytes_that_are_not_utf8_should_diff_like_any_other()
    {
        using var tree = new SampleTree();
        var raw = Path.Combine(tree.Root, @"up\xff\xfe");
        Assert.Equal(0, Bash("""cp -a "$1" "$(printf '%b' "$2")" """, tree.Upper, raw).ExitCode);

        var expected = CliRunner.Run("diff", "--upper", tree.Upper, "-o", Path.Combine(tree.Output, "plain"));
        var result = RunWithBytes("diff", "--upper", raw, "-o", Path.Combine(tree.Output, "raw"));
        Assert.Equal(0, Bash("""rm -rf "$(printf '%b' "$1")" """, raw).ExitCode); // SampleTree's Directory.Delete cannot name it

        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Equal(0, expected.ExitCode);
        Assert.Equal(File.ReadAllBytes(Path.Combine(tree.Output, "plain")), File.ReadAllBytes(Path.Combine(tree.Output, "raw")));
    }

    [Fact]
    public void Output_named_with_bytes_that_are_not_utf8_should_be_refused_naming_it()
    {
        using var tree = new SampleTree();
        var result = RunWithBytes("diff", "--upper", tree.Upper, "-o", Path.Combine(tree.Output, @"out\xff.tgz"));

        Assert.True(result.ExitCode == 2, $"exit {result.ExitCode}: {result.StdErr}");
        Assert.Contains(@"out\xff.tgz': not valid UTF-8", result.StdErr, StringComparison.Ordinal);
        Assert.Empty(result.StdOut);
        Assert.Empty(Directory.GetFileSystemEntries(tree.Output));
    }

    /// <summary>Runs the CLI with each argument's \xNN escapes turned into those bytes (bash's printf %b), as Process cannot pass them.</summary>
    private static CliRunner.Result RunWithBytes(params string[] args) =>
        Bash("""a=(); for x in "$@"; do a+=("$(printf '%b' "$x")"); done; exec "${a[@]}" """, [.. CliRunner.CommandLineOf(args)]);

    private static CliRunner.Result Bash(string script, params string[] args)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add("bash");
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment.Remove("SOURCE_DATE_EPOCH");
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return new CliRunner.Result(p.ExitCode, stdout.Result, stderr.Result);
    }
}
