using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>--version: what a script checks before it trusts the tool.</summary>
public sealed class VersionTests
{
    [Fact]
    public void Version_should_print_the_version_and_a_commit_of_this_repository()
    {
        var result = CliRunner.Run("--version");
        Assert.True(result.ExitCode == 0, result.StdErr);
        var match = Regex.Match(result.StdOut, @"^paralleldiff (\d+\.\d+\.\d+) \(commit ([0-9a-f]{12})\)\n$");
        Assert.True(match.Success, $"not a version line: '{result.StdOut}'");
        Assert.Empty(result.StdErr);

        // The commit is one this repository has (the build may predate the newest commit).
        using var git = Process.Start(new ProcessStartInfo("git", ["-C", AppContext.BaseDirectory, "cat-file", "-e", match.Groups[2].Value + "^{commit}"])
        {
            RedirectStandardError = true,
        })!;
        git.WaitForExit();
        Assert.True(git.ExitCode == 0, $"commit {match.Groups[2].Value} is not in this repository");
    }
}
