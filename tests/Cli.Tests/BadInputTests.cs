using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>Bad input gets one clear line naming the path and the cause, a non-zero exit, and no output file.</summary>
public sealed class BadInputTests
{
    [Fact]
    public void Missing_upper_should_fail_naming_the_path()
    {
        using var tree = new SampleTree();
        var missing = Path.Combine(tree.Root, "nope");
        AssertFails(tree, 1, [missing, "no such file"], "diff", "--upper", missing, "-o", Out(tree));
    }

    [Fact]
    public void Upper_that_is_a_file_should_fail_naming_the_path()
    {
        using var tree = new SampleTree();
        var file = Path.Combine(tree.Upper, "blob.bin");
        AssertFails(tree, 1, [file, "not a directory"], "diff", "--upper", file, "-o", Out(tree));
    }

    [Fact]
    public void Missing_lower_should_fail_naming_it()
    {
        using var tree = new SampleTree();
        var missing = Path.Combine(tree.Root, "lower-gone");
        AssertFails(tree, 1, [missing, "no such file"], "diff", "--upper", tree.Upper, "--lower", tree.Lower + ":" + missing, "-o", Out(tree));
    }

    [Fact]
    public void Unknown_compression_should_be_a_usage_error()
    {
        using var tree = new SampleTree();
        AssertFails(tree, 2, ["brotli", "unknown compression"], "diff", "--upper", tree.Upper, "--compression", "brotli", "-o", Out(tree));
    }

    [Fact]
    public void Level_out_of_range_should_be_a_usage_error()
    {
        using var tree = new SampleTree();
        AssertFails(tree, 2, ["--level 99"], "diff", "--upper", tree.Upper, "--compression", "gzip", "--level", "99", "-o", Out(tree));
    }

    [Fact]
    public void Unknown_option_should_be_a_usage_error()
    {
        using var tree = new SampleTree();
        AssertFails(tree, 2, ["--frobnicate"], "diff", "--upper", tree.Upper, "--frobnicate", "-o", Out(tree));
    }

    [Fact]
    public void Empty_lower_component_should_be_a_usage_error()
    {
        using var tree = new SampleTree();
        AssertFails(tree, 2, ["empty layer path"], "diff", "--upper", tree.Upper, "--lower", tree.Lower + "::", "-o", Out(tree));
    }

    [RootFact]
    public void Unreadable_file_should_fail_naming_it_and_leave_nothing_at_the_output()
    {
        using var tree = new SampleTree();
        // Run as nobody (looked up in the user database): the tree is readable except one file.
        foreach (var dir in new[] { tree.Root, tree.Upper, tree.Lower, tree.Output })
        {
            File.SetUnixFileMode(dir, (UnixFileMode)0b111_111_111);
        }

        var secret = Path.Combine(tree.Upper, "etc", "hosts");
        File.SetUnixFileMode(secret, UnixFileMode.None);
        var output = Out(tree);

        var nobody = checked((int)new Mono.Unix.UnixUserInfo("nobody").UserId);
        var result = CliRunner.RunAs(nobody, "diff", "--upper", tree.Upper, "--lower", tree.Lower, "-o", output);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(secret, result.StdErr, StringComparison.Ordinal);
        Assert.Contains("EACCES", result.StdErr, StringComparison.Ordinal);
        Assert.Single(result.StdErr.Trim().Split('\n'));
        Assert.Empty(Directory.GetFileSystemEntries(tree.Output));
    }

    private static string Out(SampleTree tree) => Path.Combine(tree.Output, "layer");

    private static void AssertFails(SampleTree tree, int exitCode, string[] mentions, params string[] args)
    {
        var result = CliRunner.Run(args);
        Assert.True(exitCode == result.ExitCode, $"exit {result.ExitCode}: {result.StdErr}");
        foreach (var m in mentions)
        {
            Assert.Contains(m, result.StdErr, StringComparison.Ordinal);
        }

        Assert.Empty(result.StdOut);
        Assert.Empty(Directory.GetFileSystemEntries(tree.Output));
    }
}
