using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>
/// `paralleldiff completion bash`, loaded as a person loads it (source &lt;(paralleldiff completion bash))
/// in a real bash, its function called as readline calls it (COMP_WORDS, COMP_CWORD) and COMPREPLY
/// read back. Each command's options come from its parser's sets (Program.Commands): completion
/// must offer exactly those, and each command's --help must name every one of them.
/// </summary>
public sealed class CompletionTests
{
    [Fact]
    public void Completion_should_complete_a_command_from_its_first_letters()
    {
        Assert.Equal(["diff"], Complete("paralleldiff", "di"));
        Assert.Equal(["export"], Complete("paralleldiff", "exp"));
    }

    [Fact]
    public void Completion_should_offer_every_command_and_the_global_options_first()
    {
        Assert.Equal(
            Program.Commands.Select(c => c.Name).Concat(["--help", "--version"]).Order(StringComparer.Ordinal),
            Complete("paralleldiff", string.Empty).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("diff")]
    [InlineData("image")]
    [InlineData("export")]
    [InlineData("apply")]
    [InlineData("completion")]
    public void Completion_should_offer_exactly_the_options_the_commands_parser_accepts(string command)
    {
        var syntax = Program.Commands.Single(c => c.Name == command);
        Assert.Equal(
            syntax.ValueOptions.Concat(syntax.FlagOptions).Append("--help").Distinct().Order(StringComparer.Ordinal),
            Complete("paralleldiff", command, "-").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Completion_should_complete_an_option_of_diff_and_its_words()
    {
        Assert.Equal(["--compression"], Complete("paralleldiff", "diff", "--upper", "u", "--comp"));
        Assert.Equal(["zstd", "zstd:chunked"], Complete("paralleldiff", "diff", "--compression", "z"));
        Assert.Equal(["none", "gzip", "zstd", "lz4", "zstd:chunked", "estargz"], Complete("paralleldiff", "diff", "--compression", string.Empty));

        // --compression=g, as bash splits it at '='.
        Assert.Equal(["gzip"], Complete("paralleldiff", "diff", "--compression", "=", "g"));
        Assert.Equal(["auto", "overlay", "walking"], Complete("paralleldiff", "diff", "--differ", "="));
    }

    [Fact]
    public void Completion_should_offer_each_commands_own_words_for_the_same_option()
    {
        Assert.Equal(["auto", "json"], Complete("paralleldiff", "diff", "--progress", string.Empty));
        Assert.Equal(["auto", "plain", "json"], Complete("paralleldiff", "export", "--progress", string.Empty));
        Assert.Equal(["bash"], Complete("paralleldiff", "completion", string.Empty));
    }

    [Fact]
    public void Completion_should_leave_paths_to_bash()
    {
        // Nothing from the function: `complete -o default` then completes file names, as bash does.
        Assert.Empty(Complete("paralleldiff", "diff", "--upper", string.Empty));
        Assert.Empty(Complete("paralleldiff", "apply", string.Empty));
        Assert.Empty(Complete("paralleldiff", "diff", "--upper", "/tmp", string.Empty));
    }

    [Fact]
    public void Completion_should_refuse_a_shell_it_cannot_write_for()
    {
        var result = CliRunner.Run("completion", "zsh");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("completion needs the shell: bash", result.StdErr, StringComparison.Ordinal);
        Assert.Empty(result.StdOut);
    }

    [Theory]
    [InlineData("diff")]
    [InlineData("image")]
    [InlineData("export")]
    [InlineData("apply")]
    [InlineData("completion")]
    public void Help_should_name_every_option_and_word_the_commands_parser_accepts(string command)
    {
        var syntax = Program.Commands.Single(c => c.Name == command);
        var help = CliRunner.Run(command, "--help");
        Assert.Equal(0, help.ExitCode);
        var missing = syntax.ValueOptions.Concat(syntax.FlagOptions)
            .Where(option => !Regex.IsMatch(help.StdOut, $@"(?<![\w-]){Regex.Escape(option)}(?![\w-])"))
            .ToList();
        Assert.True(missing.Count == 0, $"'paralleldiff {command} --help' does not name {string.Join(", ", missing)}, which its parser accepts");
        foreach (var (option, words) in syntax.Choices)
        {
            Assert.Contains(option, syntax.ValueOptions);
            var unnamed = words.Where(word => !Regex.IsMatch(help.StdOut, $@"(?<![\w-]){Regex.Escape(word)}(?![\w-])")).ToList();
            Assert.True(unnamed.Count == 0, $"'paralleldiff {command} --help' does not name {string.Join(", ", unnamed)} of {option}");
        }
    }

    [Fact]
    public void Help_should_list_every_command_there_is_and_no_other()
    {
        var help = CliRunner.Run("--help");
        Assert.Equal(0, help.ExitCode);
        var listed = help.StdOut.Split('\n')
            .SkipWhile(line => line.Trim() != "commands")
            .Skip(1)
            .TakeWhile(line => line.Trim().Length > 0)
            .Select(line => line.Trim().Split(' ')[0]);
        Assert.Equal(Program.Commands.Select(c => c.Name), listed);
    }

    [Fact]
    public void Script_should_refuse_a_word_that_would_change_what_it_does()
    {
        var syntax = new CommandSyntax("diff", new HashSet<string> { "--out$(reboot)" }, new HashSet<string>(), new Dictionary<string, IReadOnlyList<string>>(), string.Empty);
        Assert.Throws<ArgumentException>(() => BashCompletion.Script([syntax]));
    }

    /// <summary>
    /// COMPREPLY for the last of <paramref name="words"/> (COMP_WORDS as bash splits a line), from
    /// the function that `source &lt;(paralleldiff completion bash)` registers for paralleldiff.
    /// </summary>
    private static List<string> Complete(params string[] words)
    {
        const string Script = """
            k=$1; shift
            COMP_WORDS=("${@:1:k}"); COMP_CWORD=$((k - 1)); shift "$k"
            source <("$@") || exit 90
            spec=$(complete -p paralleldiff) || exit 91
            function=${spec##*-F }; function=${function%% *}
            COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}
            "$function" paralleldiff "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}" || exit 92
            printf '%s\n' "${COMPREPLY[@]}"
            """;
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["-c", Script, "bash", words.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), .. words, .. CliRunner.CommandLineOf("completion", "bash")])
        {
            psi.ArgumentList.Add(a);
        }

        using var bash = Process.Start(psi)!;
        var stdout = bash.StandardOutput.ReadToEndAsync();
        var stderr = bash.StandardError.ReadToEndAsync();
        bash.WaitForExit();
        Assert.True(bash.ExitCode == 0 && stderr.Result.Length == 0, $"bash exited {bash.ExitCode}: {stderr.Result}");
        return stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }
}
