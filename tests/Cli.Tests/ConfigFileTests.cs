using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>
/// --config is taken exactly or refused: a misspelled setting, a file that does not parse, a value
/// that does not read, each fails before any work with one line naming the key or line and the file.
/// </summary>
public sealed class ConfigFileTests
{
    [Fact]
    public void Config_with_a_misspelled_key_should_be_refused_naming_the_key_and_the_file()
    {
        using var tree = new SampleTree();
        var config = tree.WriteConfig("paralleldiff.compression.gzip-levle = 9");
        var result = Fails(tree, 2, "diff", "--config", config, "--upper", tree.Upper, "-o", Out(tree, "a"));
        Assert.Contains($"{config}: unknown key paralleldiff.compression.gzip-levle", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_may_tune_a_dispatcher_with_akka_keys_the_defaults_do_not_list()
    {
        using var tree = new SampleTree();
        var config = tree.WriteConfig("paralleldiff.io-dispatcher.fork-join-executor.parallelism-factor = 2.0");
        var result = CliRunner.Run("diff", "--config", config, "--upper", tree.Upper, "-o", Out(tree, "a"));
        Assert.True(result.ExitCode == 0, result.StdErr);
    }

    [Fact]
    public void Config_that_does_not_parse_should_be_refused_naming_the_file()
    {
        using var tree = new SampleTree();
        var config = tree.WriteConfig("paralleldiff {\n  compression {\n    gzip-level = 9\n  }\n");
        var result = Fails(tree, 2, "diff", "--config", config, "--upper", tree.Upper, "-o", Out(tree, "a"));
        Assert.Contains($"{config}: line 1: '{{' is never closed", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("Value cannot be null", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_with_a_doubled_separator_should_be_refused_naming_the_file_and_line()
    {
        using var tree = new SampleTree();
        var config = tree.WriteConfig("# tuned\nparalleldiff.compression.gzip-level = = 9\n");
        var result = Fails(tree, 2, "diff", "--config", config, "--upper", tree.Upper, "-o", Out(tree, "a"));
        Assert.Contains($"{config}: line 2: '=' where a value should be", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_bad_value_should_name_the_key_and_the_file()
    {
        using var tree = new SampleTree();
        var config = tree.WriteConfig("paralleldiff.compression.gzip-level = lots");
        var result = Fails(tree, 2, "diff", "--config", config, "--upper", tree.Upper, "-o", Out(tree, "a"));
        Assert.Contains("paralleldiff.compression.gzip-level = \"lots\"", result.StdErr, StringComparison.Ordinal);
        Assert.Contains(config, result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_bad_export_value_should_fail_before_the_layout_is_made()
    {
        using var tree = new SampleTree();
        var config = tree.WriteConfig("paralleldiff.export.memory-budget = \"lots\"");
        var jobs = Path.Combine(tree.Root, "jobs.json");
        File.WriteAllText(jobs, $$"""[{"id": "one", "upper": "{{tree.Upper}}"}]""");
        var result = Fails(tree, 2, "export", "--config", config, "--jobs", jobs, "--oci-layout", Out(tree, "layout"), "--quiet");
        Assert.Contains("paralleldiff.export.memory-budget = \"lots\"", result.StdErr, StringComparison.Ordinal);
        Assert.Contains(config, result.StdErr, StringComparison.Ordinal);
    }

    private static string Out(SampleTree tree, string name) => Path.Combine(tree.Output, name);

    private static CliRunner.Result Fails(SampleTree tree, int exitCode, params string[] args)
    {
        var result = CliRunner.Run(args);
        Assert.True(exitCode == result.ExitCode, $"exit {result.ExitCode}: {result.StdErr}");
        Assert.Empty(result.StdOut);
        Assert.Single(result.StdErr.Trim().Split('\n'), l => !l.StartsWith("run 'paralleldiff", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFileSystemEntries(tree.Output));
        return result;
    }
}
