namespace ParallelDiff.Cli;

/// <summary>
/// The structural check Akka.NET 1.5's HOCON parser leaves out: it takes an unclosed "{", a stray
/// "]" or "= = 9" without a word and runs on what it guessed. Braces and brackets must pair up
/// outside strings and comments, and a value cannot start with a second separator.
/// </summary>
internal static class HoconBrackets
{
    /// <summary>"line N: cause" for the first problem, or null.</summary>
    public static string? FirstProblem(string text)
    {
        var open = new Stack<(char Bracket, int Line)>();
        var line = 1;
        var afterSeparator = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\n')
            {
                line++;
                afterSeparator = false;
                continue;
            }

            if (c is ' ' or '\t' or '\r')
            {
                continue;
            }

            if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
            {
                i = SkipTo(text, i, "\n") - 1;
                continue;
            }

            if (c == '"')
            {
                var triple = string.CompareOrdinal(text, i, "\"\"\"", 0, 3) == 0;
                var end = triple ? SkipTo(text, i + 3, "\"\"\"") + 2 : EndOfString(text, i + 1);
                if (end >= text.Length)
                {
                    return $"line {line}: a string is never closed";
                }

                line += text.AsSpan(i, end - i).Count('\n');
                i = end;
                afterSeparator = false;
                continue;
            }

            if (c is '=' or ':' && afterSeparator)
            {
                return $"line {line}: '{c}' where a value should be";
            }

            afterSeparator = c is '=' or ':' || (c == '+' && i + 1 < text.Length && text[i + 1] == '=');
            if (c == '+' && afterSeparator)
            {
                i++;
            }

            switch (c)
            {
                case '{' or '[':
                    open.Push((c, line));
                    break;
                case '}' or ']':
                    var expected = c == '}' ? '{' : '[';
                    if (open.Count == 0 || open.Peek().Bracket != expected)
                    {
                        return $"line {line}: '{c}' closes nothing";
                    }

                    open.Pop();
                    break;
            }
        }

        return open.Count == 0 ? null : $"line {open.Peek().Line}: '{open.Peek().Bracket}' is never closed";
    }

    private static int SkipTo(string text, int from, string what)
    {
        var at = text.IndexOf(what, from, StringComparison.Ordinal);
        return at < 0 ? text.Length : at;
    }

    /// <summary>The index of the quote closing a "..." string that starts at <paramref name="from"/> (text.Length if none on its line).</summary>
    private static int EndOfString(string text, int from)
    {
        for (var i = from; i < text.Length && text[i] != '\n'; i++)
        {
            if (text[i] == '\\')
            {
                i++;
            }
            else if (text[i] == '"')
            {
                return i;
            }
        }

        return text.Length;
    }
}
