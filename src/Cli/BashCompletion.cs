using System.Text;

namespace ParallelDiff.Cli;

/// <summary>
/// The bash completion script for <c>paralleldiff</c>, written from each command's
/// <see cref="CommandSyntax"/>, the sets its parser reads: a command's options, a value option's
/// words (--compression zstd), and file names where a path goes (bash's own completion, by
/// <c>complete -o default</c>, which quotes and follows directories as bash does).
/// </summary>
public static class BashCompletion
{
    /// <summary>The function <see cref="Script"/> registers for paralleldiff.</summary>
    public const string FunctionName = "_paralleldiff";

    /// <summary>Options every command takes (Program.Run answers them before the command's parser).</summary>
    public static readonly IReadOnlyList<string> CommonFlags = ["--help"];

    /// <summary>What may stand before any command.</summary>
    public static readonly IReadOnlyList<string> GlobalOptions = ["--help", "--version"];

    /// <summary>The script, to be sourced: <c>source &lt;(paralleldiff completion bash)</c>.</summary>
    public static string Script(IReadOnlyList<CommandSyntax> commands)
    {
        ArgumentNullException.ThrowIfNull(commands);
        var s = new StringBuilder();
        s.Append($$"""
            # bash completion for paralleldiff, from `paralleldiff completion bash`.
            # Load it with: source <(paralleldiff completion bash)
            {{FunctionName}}() {
                local cur="${COMP_WORDS[COMP_CWORD]}" prev="" prefix="" values="" flags="" words="" positional=""
                # --name=value: bash splits the word at '=' (COMP_WORDBREAKS); the value is completed
                # after it. Where '=' does not split words, the value is completed within the word.
                if [[ "$cur" == "=" ]] && ((COMP_CWORD >= 2)); then
                    prev="${COMP_WORDS[COMP_CWORD-1]}" cur=""
                elif ((COMP_CWORD >= 3)) && [[ "${COMP_WORDS[COMP_CWORD-1]}" == "=" ]]; then
                    prev="${COMP_WORDS[COMP_CWORD-2]}"
                elif [[ "$cur" == --*=* ]]; then
                    prev="${cur%%=*}" prefix="${cur%%=*}=" cur="${cur#*=}"
                elif ((COMP_CWORD >= 1)); then
                    prev="${COMP_WORDS[COMP_CWORD-1]}"
                fi
                COMPREPLY=()
                if ((COMP_CWORD == 1)); then
                    COMPREPLY=($(compgen -W "{{Words(commands.Select(c => c.Name).Concat(GlobalOptions))}}" -- "$cur"))
                    return 0
                fi
                case "${COMP_WORDS[1]}" in

            """);
        foreach (var command in commands)
        {
            s.Append($"""
                        {Word(command.Name)})
                            values="{Words(command.ValueOptions.Order(StringComparer.Ordinal))}"
                            flags="{Words(command.FlagOptions.Concat(CommonFlags).Distinct().Order(StringComparer.Ordinal))}"
                            positional="{Words(command.PositionalWords)}"

                """);
            if (command.Choices.Count > 0)
            {
                s.Append("""
                                case "$prev" in

                    """);
                foreach (var (option, choices) in command.Choices.OrderBy(c => c.Key, StringComparer.Ordinal))
                {
                    s.Append($"""
                                        {Word(option)}) words="{Words(choices)}" ;;

                        """);
                }

                s.Append("""
                                esac

                    """);
            }

            s.Append("""
                            ;;

                """);
        }

        s.Append($$"""
                    *) return 0 ;;
                esac
                if [[ -n "$prev" && " $values " == *" $prev "* ]]; then
                    # A value: one of its words (never a file name), else nothing here, so that bash
                    # completes a file name.
                    if [[ -n "$words" ]]; then
                        compopt +o default 2>/dev/null
                        COMPREPLY=($(compgen -P "$prefix" -W "$words" -- "$cur"))
                    fi
                    return 0
                fi
                if [[ "$cur" == -* ]]; then
                    COMPREPLY=($(compgen -W "$values $flags" -- "$cur"))
                elif [[ -n "$positional" ]]; then
                    COMPREPLY=($(compgen -W "$positional" -- "$cur"))
                fi
                return 0
            }
            complete -o default -F {{FunctionName}} paralleldiff

            """);
        return s.ToString();
    }

    private static string Words(IEnumerable<string> words) => string.Join(' ', words.Select(Word));

    /// <summary>
    /// A word as it stands in the script, unquoted: option names and choice words are plain, and
    /// anything else (a space, a quote, $) would change what the script does, so it is refused.
    /// </summary>
    private static string Word(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '+' or ':' or '/')
            ? word
            : throw new ArgumentException($"'{word}' cannot stand unquoted in a completion script", nameof(word));
}
