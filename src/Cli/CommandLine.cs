using System.Globalization;
using ParallelDiff.Core.Fs;

namespace ParallelDiff.Cli;

/// <summary>
/// A small parser for "--name value", "--name=value", flags and positional arguments. Every
/// option a command does not declare is an error, never silently ignored.
/// </summary>
public sealed class CommandLine
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);
    private readonly List<string> _positional = [];
    private readonly Dictionary<string, List<string>> _repeated = new(StringComparer.Ordinal);

    /// <summary>Options that add one value each time they are given (--env, --label, --annotation).</summary>
    private static readonly HashSet<string> Repeatable = new(ImageConfigArguments.RepeatableOptions, StringComparer.Ordinal);

    /// <summary>
    /// Options whose paths reach the file system through byte syscalls only, so they may name
    /// bytes that are not UTF-8 (RawArguments). Every other path goes through .NET's file APIs,
    /// which would write or read a different name: such a value is refused, never altered.
    /// </summary>
    private static readonly HashSet<string> BytePathOptions = new(StringComparer.Ordinal) { "--upper", "--lower", "--from", "--to" };

    private CommandLine()
    {
    }

    public IReadOnlyList<string> Positional => _positional;

    /// <summary>Parses the arguments of a command that takes options only: a positional argument is a usage error naming it.</summary>
    public static CommandLine ParseOptions(string command, IReadOnlyList<string> args, IReadOnlySet<string> valueOptions, IReadOnlySet<string> flagOptions)
    {
        var cl = Parse(args, valueOptions, flagOptions);
        return cl.Positional.Count == 0 ? cl : throw new UsageException($"{command} takes no positional arguments (got '{cl.Positional[0]}')");
    }

    /// <param name="valueOptions">Options that take a value (e.g. "--upper", "-o").</param>
    /// <param name="flagOptions">Options that take none (e.g. "--exact").</param>
    public static CommandLine Parse(IReadOnlyList<string> args, IReadOnlySet<string> valueOptions, IReadOnlySet<string> flagOptions)
    {
        var result = new CommandLine();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                result._positional.AddRange(args.Skip(i + 1));
                break;
            }

            if (!arg.StartsWith('-') || arg == "-")
            {
                RefuseNonUtf8("argument", arg);
                result._positional.Add(arg);
                continue;
            }

            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var name = eq > 0 ? arg[..eq] : arg;
            if (flagOptions.Contains(name))
            {
                if (eq > 0)
                {
                    throw new UsageException($"{name} takes no value");
                }

                result._flags.Add(name);
            }
            else if (valueOptions.Contains(name))
            {
                string value;
                if (eq > 0)
                {
                    value = arg[(eq + 1)..];
                }
                else if (i + 1 < args.Count)
                {
                    value = args[++i];
                }
                else
                {
                    throw new UsageException($"{name} needs a value");
                }

                if (!BytePathOptions.Contains(name))
                {
                    RefuseNonUtf8(name, value);
                }

                if (Repeatable.Contains(name))
                {
                    if (!result._repeated.TryGetValue(name, out var all))
                    {
                        result._repeated[name] = all = [];
                    }

                    all.Add(value);
                    continue;
                }

                if (!result._values.TryAdd(name, value))
                {
                    // Keeping the last, as many tools do, would silently drop an upper or an output.
                    throw new UsageException($"{name} given twice ('{result._values[name]}' and '{value}'): give it once");
                }
            }
            else
            {
                throw new UsageException($"unknown option {name}");
            }
        }

        return result;
    }

    private static void RefuseNonUtf8(string what, string value)
    {
        if (EscapedBytes.HasEscapes(value))
        {
            throw new UsageException($"{what} '{PathBytes.Display(EscapedBytes.Encode(value))}': not valid UTF-8; "
                + $"only {string.Join(", ", BytePathOptions)} take such names (the other paths cannot be opened or written under them exactly)");
        }
    }

    public bool Has(string flag) => _flags.Contains(flag);

    public string? Value(string name) => _values.GetValueOrDefault(name);

    /// <summary>Every value of a repeatable option, in the order given.</summary>
    public IReadOnlyList<string> Values(string name) => _repeated.TryGetValue(name, out var all) ? all : [];

    /// <summary>An option that has two spellings (-o, --output): given once, in either.</summary>
    public string? Value(string name, string alias) => Value(name) is { } value && Value(alias) is { } other
        ? throw new UsageException($"{name} and {alias} are the same option ('{value}' and '{other}'): give it once")
        : Value(name) ?? Value(alias);

    public long? Number(string name)
    {
        var text = Value(name);
        if (text is null)
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new UsageException($"{name}: '{text}' is not a whole number");
    }

    /// <summary>One of a fixed set of words (e.g. --differ auto|overlay|walking).</summary>
    public string Choice(string name, string fallback, params string[] allowed)
    {
        var value = Value(name) ?? fallback;
        return allowed.Contains(value, StringComparer.Ordinal)
            ? value
            : throw new UsageException($"{name}: '{value}' is not one of {string.Join('|', allowed)}");
    }
}
