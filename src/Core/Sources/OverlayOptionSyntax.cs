using System.Text;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Core.Sources;

/// <summary>
/// The lexical rules of the legacy overlay mount data string, as the kernel applies them
/// (fs/overlayfs/params.c): how options are separated, how lowerdir= is split into layers, and how
/// a path is unescaped. A backslash escapes the next character everywhere; it is kept while
/// splitting and removed only when a path is finally unescaped.
/// </summary>
internal static class OverlayOptionSyntax
{
    /// <summary>The kernel's bound on the number of lower layers (OVL_MAX_STACK).</summary>
    public const int MaxStack = 500;

    /// <summary>
    /// Splits the data string on every ',' that is not escaped by a backslash (ovl_next_opt). The
    /// pieces keep their backslashes.
    /// </summary>
    public static List<string> SplitOptions(string data)
    {
        var options = new List<string>();
        var start = 0;
        for (var i = 0; i < data.Length; i++)
        {
            if (data[i] == '\\')
            {
                i++;
            }
            else if (data[i] == ',')
            {
                options.Add(data[start..i]);
                start = i + 1;
            }
        }

        options.Add(data[start..]);
        return options;
    }

    /// <summary>
    /// Splits a non-empty lowerdir= value into layers, top first (ovl_parse_param_split_lowerdirs
    /// and ovl_parse_param_lowerdir): layers are separated by one unescaped ':', and "::" makes every
    /// following layer data-only. Each layer is unescaped.
    /// </summary>
    /// <exception cref="SnapshotException">The value breaks one of the kernel's rules; the message names it.</exception>
    public static List<OverlayLayer> SplitLowerdir(string value)
    {
        if (value.StartsWith(':'))
        {
            throw Error(value, "it starts with ':', which the kernel reads as appending to an earlier lowerdir (\"cannot append lower layer\")");
        }

        var layers = new List<OverlayLayer>();
        var current = new StringBuilder();
        var dataOnly = false;
        var colons = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == ':')
            {
                colons++;
                var nextIsColon = i + 1 < value.Length && value[i + 1] == ':';
                if (colons == 2 && nextIsColon)
                {
                    throw Error(value, "more than two consecutive unescaped ':' (only ':' and '::' separate layers)");
                }

                if (!nextIsColon)
                {
                    layers.Add(Layer(value, current, dataOnly));
                    if (colons == 1 && dataOnly)
                    {
                        throw Error(value, $"a regular layer follows data-only layers (after \"{layers[^1].Path}\"); '::' must separate only data-only layers at the bottom");
                    }

                    dataOnly |= colons == 2;
                }

                continue;
            }

            colons = 0;
            current.Append(c);
            if (c == '\\' && i + 1 < value.Length)
            {
                current.Append(value[++i]);
            }
        }

        if (colons > 0)
        {
            throw Error(value, "it ends with an unescaped ':'");
        }

        layers.Add(Layer(value, current, dataOnly));
        return layers;
    }

    /// <summary>Removes one level of backslash escaping: "\c" becomes "c", a final lone "\" disappears (ovl_unescape).</summary>
    public static string Unescape(string escaped)
    {
        if (!escaped.Contains('\\', StringComparison.Ordinal))
        {
            return escaped;
        }

        var plain = new StringBuilder(escaped.Length);
        for (var i = 0; i < escaped.Length; i++)
        {
            if (escaped[i] == '\\')
            {
                i++;
                if (i == escaped.Length)
                {
                    break;
                }
            }

            plain.Append(escaped[i]);
        }

        return plain.ToString();
    }

    private static OverlayLayer Layer(string value, StringBuilder escaped, bool dataOnly)
    {
        var path = Unescape(escaped.ToString());
        escaped.Clear();
        if (path.Length == 0)
        {
            throw Error(value, "a layer is empty once unescaped (\"empty lowerdir\")");
        }

        return new OverlayLayer(path, dataOnly);
    }

    private static SnapshotException Error(string value, string cause) => new($"overlay option lowerdir={value}: {cause}");
}
