namespace ParallelDiff.Cli;

/// <summary>
/// Drops whole-line comments from HOCON text before it is parsed. Our defaults file is mostly
/// documentation, and Akka's tokenizer walks a comment character by character, allocating as it
/// goes: parsing took an eighth of a one-file diff. A line that starts with # or // (after
/// blanks) is a comment wherever HOCON allows it, except inside a """triple-quoted""" string, so
/// text holding one is left whole.
/// </summary>
internal static class HoconComments
{
    public static string WithoutCommentLines(string text)
    {
        if (text.Contains("\"\"\"", StringComparison.Ordinal))
        {
            return text;
        }

        var kept = new System.Text.StringBuilder(text.Length);
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            var start = line.TrimStart(" \t");
            if (start.StartsWith("#") || start.StartsWith("//"))
            {
                // Keep the line break, so a parse error still names the right line.
                kept.Append('\n');
                continue;
            }

            kept.Append(line).Append('\n');
        }

        return kept.ToString();
    }
}
