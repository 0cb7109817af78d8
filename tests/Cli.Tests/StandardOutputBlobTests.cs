using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>
/// diff -o -: the blob on standard output for a pipe, the descriptor on stderr; `-o - | sha256sum`
/// gives the descriptor's digest, on the small path and the engine's; a terminal is refused.
/// </summary>
public sealed class StandardOutputBlobTests : IDisposable
{
    private readonly SampleTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Theory]
    [InlineData("")]
    [InlineData(ActorPathTests.Actors)]
    public void Blob_piped_to_sha256sum_should_give_the_descriptors_digest(string config)
    {
        var args = new List<string> { "diff", "--upper", _tree.Upper, "--lower", _tree.Lower, "--compression", "zstd", "-o", "-" };
        if (config.Length > 0)
        {
            args.AddRange(["--config", _tree.WriteConfig(config + "\n")]);
        }

        var command = string.Join(' ', CliRunner.CommandLineOf([.. args]).Select(Quote));
        var result = SystemTool.Run("bash", "-c", $"set -o pipefail; {command} | sha256sum");
        Assert.True(result.ExitCode == 0, result.StdErr);

        // stderr: the descriptor as one JSON line (nothing else is said on success).
        var descriptor = JsonDocument.Parse(result.StdErr.Trim()).RootElement;
        Assert.Equal(descriptor.GetProperty("digest").GetString(), "sha256:" + result.StdOut.Split(' ')[0]);
        Assert.Empty(Directory.GetFileSystemEntries(_tree.Output));
    }

    [Fact]
    public void Blob_to_a_terminal_should_be_refused()
    {
        var command = string.Join(' ', CliRunner.CommandLineOf("diff", "--upper", _tree.Upper, "-o", "-").Select(Quote));
        var psi = new ProcessStartInfo("script") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in new[] { "-qfec", command, "/dev/null" })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var output = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(60_000));
        Assert.Equal(2, p.ExitCode);
        Assert.Contains("standard output is a terminal", output, StringComparison.Ordinal);
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
