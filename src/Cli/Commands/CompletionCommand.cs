namespace ParallelDiff.Cli.Commands;

/// <summary>paralleldiff completion bash: the shell completion script, written from the commands' parsers.</summary>
public static class CompletionCommand
{
    public const string Help = """
        usage: paralleldiff completion bash

        Prints a bash completion script for paralleldiff: its commands, each command's options, the
        words of options that take one of a few (--compression, --differ, ...), and file names
        where a path goes. Load it in the current shell with

          source <(paralleldiff completion bash)

        or keep it where bash-completion finds it:

          paralleldiff completion bash > ~/.local/share/bash-completion/completions/paralleldiff

        exit codes
          0 printed; 2 bad command line (a shell other than bash)
        """;

    private static readonly string[] Shells = ["bash"];

    private static readonly HashSet<string> Values = [];

    private static readonly HashSet<string> Flags = [];

    /// <summary>What the parser below accepts: for completion, and checked against <see cref="Help"/>.</summary>
    public static CommandSyntax Syntax => new("completion", Values, Flags, new Dictionary<string, IReadOnlyList<string>>(), Help)
    {
        PositionalWords = Shells,
    };

    public static int Run(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var cl = CommandLine.Parse(args, Values, Flags);
        if (cl.Positional.Count != 1 || !Shells.Contains(cl.Positional[0], StringComparer.Ordinal))
        {
            throw new UsageException($"completion needs the shell: {string.Join('|', Shells)}");
        }

        StandardOutput.Write(BashCompletion.Script(Program.Commands));
        return ExitCodes.Success;
    }
}
