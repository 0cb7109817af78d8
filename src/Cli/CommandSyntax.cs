namespace ParallelDiff.Cli;

/// <summary>
/// What one command's parser accepts: the options that take a value, the flags, and the words of
/// the options that take one of a few. <c>paralleldiff completion bash</c> is written from it, and the
/// tests check each command's --help against it, so neither drifts from the parser.
/// </summary>
/// <param name="Name">The command's word (diff, image, ...).</param>
/// <param name="ValueOptions">The set the command's parser takes its value options from.</param>
/// <param name="FlagOptions">The set the command's parser takes its flags from.</param>
/// <param name="Choices">For an option of a few words (--compression), the words its parser accepts.</param>
/// <param name="Help">The command's --help.</param>
public sealed record CommandSyntax(
    string Name,
    IReadOnlySet<string> ValueOptions,
    IReadOnlySet<string> FlagOptions,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Choices,
    string Help)
{
    /// <summary>The words a positional argument is one of ("bash" for completion); empty when they are paths.</summary>
    public IReadOnlyList<string> PositionalWords { get; init; } = [];

    /// <summary>The choices of the argument groups a command is made of, in one map.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Combine(params IReadOnlyDictionary<string, IReadOnlyList<string>>[] groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var all = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (option, words) in groups.SelectMany(g => g))
        {
            all[option] = words;
        }

        return all;
    }
}
