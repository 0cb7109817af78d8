using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>
/// Paths longer than PATH_MAX (4096 bytes) inside an upper. The walk still opens each directory by
/// its full path, which the kernel refuses past PATH_MAX: until it opens relative to its parent
/// (as GNU tar does), such an upper fails, and says so in words rather than as "errno 36".
/// </summary>
public sealed class DeepPathTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pd-deep-").FullName;

    /// <summary>rm -rf: .NET's recursive delete cannot name paths past PATH_MAX either.</summary>
    public void Dispose()
    {
        using var rm = System.Diagnostics.Process.Start("rm", ["-rf", _root]);
        rm.WaitForExit();
    }

    [Fact]
    public void An_upper_deeper_than_PATH_MAX_should_fail_naming_the_cause()
    {
        var upper = Path.Combine(_root, "upper");
        // Directory.CreateDirectory walks by full path too; mkdir -p works component by component.
        using (var mkdir = System.Diagnostics.Process.Start("bash", ["-c", $"cd '{upper[..^"/upper".Length]}' && mkdir upper && cd upper && for i in $(seq -w 0 24); do d=d$(printf '%0190d' 0)0$i; mkdir $d && cd $d; done && echo hi > file"]))
        {
            mkdir.WaitForExit();
            Assert.Equal(0, mkdir.ExitCode);
        }

        var result = CliRunner.Run("diff", "--upper", upper, "-o", Path.Combine(_root, "layer.tgz"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("file name too long (ENAMETOOLONG)", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("errno 36", result.StdErr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_root, "layer.tgz")));
    }

    [Fact]
    public void Apply_of_a_missing_layer_should_say_so_in_the_systems_words()
    {
        var missing = Path.Combine(_root, "nope.tgz");
        var result = CliRunner.Run("apply", missing, _root);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{missing}: no such file or directory (ENOENT)", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("Could not find", result.StdErr, StringComparison.Ordinal);
    }
}
