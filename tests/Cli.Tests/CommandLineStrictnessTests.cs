using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>
/// The command line and the job file say one thing each: a repeated option or key is refused,
/// not silently resolved to its last value, and mistakes are told in our words, not .NET's.
/// </summary>
public sealed class CommandLineStrictnessTests : IDisposable
{
    private readonly SampleTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Fact]
    public void A_repeated_output_should_be_a_usage_error()
    {
        var a = Path.Combine(_tree.Output, "a.tgz");
        var b = Path.Combine(_tree.Output, "b.tgz");
        AssertUsage(["-o given twice", a, b], "diff", "--upper", _tree.Upper, "-o", a, "-o", b);
        AssertUsage(["-o and --output are the same option"], "diff", "--upper", _tree.Upper, "-o", a, "--output", b);
        Assert.Empty(Directory.GetFileSystemEntries(_tree.Output));
    }

    [Fact]
    public void A_repeated_upper_should_be_a_usage_error()
    {
        AssertUsage(["--upper given twice"], "diff", "--upper", _tree.Upper, "--upper", _tree.Lower, "-o", Path.Combine(_tree.Output, "l.tgz"));
        Assert.Empty(Directory.GetFileSystemEntries(_tree.Output));
    }

    [Fact]
    public void A_repeated_key_in_a_job_should_be_refused_naming_the_job_and_the_key()
    {
        var jobs = Path.Combine(_tree.Root, "jobs.json");
        File.WriteAllText(jobs, $$"""[{"id": "web", "upper": "{{_tree.Upper}}", "upper": "{{_tree.Lower}}"}]""");
        AssertUsage(["job 1", "\"upper\" appears 2 times"], "export", "--jobs", jobs, "--oci-layout", Path.Combine(_tree.Output, "layout"));
        Assert.Empty(Directory.GetFileSystemEntries(_tree.Output));
    }

    [Fact]
    public void Level_out_of_range_should_say_the_range_in_our_words()
    {
        var result = CliRunner.Run("diff", "--upper", _tree.Upper, "--compression", "gzip", "--level", "99", "-o", Path.Combine(_tree.Output, "l.tgz"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--level 99: gzip levels are 0 to 9", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("Parameter", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_as_job_file_should_be_named_as_such()
    {
        var result = CliRunner.Run("export", "--jobs", _tree.Root, "--oci-layout", Path.Combine(_tree.Output, "layout"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{_tree.Root}: is a directory, not a job file", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("Access to the path", result.StdErr, StringComparison.Ordinal);
    }

    private static void AssertUsage(string[] mentions, params string[] args)
    {
        var result = CliRunner.Run(args);
        Assert.True(result.ExitCode == 2, $"exit {result.ExitCode}: {result.StdErr}");
        foreach (var m in mentions)
        {
            Assert.Contains(m, result.StdErr, StringComparison.Ordinal);
        }

        Assert.Empty(result.StdOut);
    }
}
