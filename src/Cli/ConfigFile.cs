using System.Text.RegularExpressions;
using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace ParallelDiff.Cli;

/// <summary>
/// Reads a --config override and checks it against the defaults before anything runs. Akka's
/// parser takes many broken files without a word and a misspelled key is simply never read, so
/// both would leave the user running on defaults they believe they changed.
/// </summary>
internal static partial class ConfigFile
{
    /// <param name="path">The override file, for messages.</param>
    /// <param name="known">The defaults (ours and the libraries' reference.conf): every key we read.</param>
    /// <exception cref="UsageException">The file does not parse, or sets a paralleldiff.* key the defaults lack.</exception>
    public static Config Parse(string path, string text, Config known)
    {
        if (HoconBrackets.FirstProblem(text) is { } problem)
        {
            throw new UsageException($"{path}: {problem}");
        }

        Config config;
        try
        {
            config = ConfigurationFactory.ParseString(HoconComments.WithoutCommentLines(text));
        }
        catch (Exception e) when (e is ConfigurationException or FormatException or InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            // Akka's parser throws several types (ConfigurationException, FormatException, ...) for bad text.
            throw new UsageException($"{path}: {WhereAndWhat(e.Message)}");
        }

        if (config.Root is { } root && root.IsObject())
        {
            foreach (var key in Leaves(root.GetObject(), "").Where(k => k.StartsWith("paralleldiff.", StringComparison.Ordinal)))
            {
                if (!IsKnown(key, known))
                {
                    throw new UsageException($"{path}: unknown key {key} (not in the defaults; misspelled?)");
                }
            }
        }

        return config;
    }

    /// <summary>"line N: cause" when Akka's message says where, else its message on one line.</summary>
    private static string WhereAndWhat(string message)
    {
        var oneLine = message.ReplaceLineEndings(" ").Trim();
        var line = LineInMessage().Match(oneLine);
        return line.Success ? $"line {line.Groups[1].Value}: {oneLine}" : $"not valid HOCON: {oneLine}";
    }

    private static IEnumerable<string> Leaves(HoconObject obj, string prefix)
    {
        foreach (var (name, value) in obj.Items)
        {
            var path = prefix + name;
            if (value.IsObject())
            {
                foreach (var leaf in Leaves(value.GetObject(), path + "."))
                {
                    yield return leaf;
                }
            }
            else
            {
                yield return path;
            }
        }
    }

    /// <summary>A key the defaults have, or one inside a dispatcher section, which takes any of Akka's dispatcher settings.</summary>
    private static bool IsKnown(string key, Config known)
    {
        if (known.HasPath(key))
        {
            return true;
        }

        for (var dot = key.LastIndexOf('.'); dot > 0; dot = key.LastIndexOf('.', dot - 1))
        {
            var section = key[..dot];
            if (known.HasPath(section + ".executor"))
            {
                return true;
            }
        }

        return false;
    }

    [GeneratedRegex(@"[Ll]ine[: ]+(\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex LineInMessage();
}
