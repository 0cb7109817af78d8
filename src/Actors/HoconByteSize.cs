namespace ParallelDiff.Actors;

/// <summary>
/// A HOCON size in bytes ("4 MiB", "64MiB", "1024"), read exactly as Akka.NET 1.5's
/// HoconValue.GetByteSize reads it: the digits up to the last one, times the factor of a
/// case-sensitive unit (HOCON.md "Size in bytes format"). Akka's own reader is not called because
/// its first use runs HoconValue's static constructor, which compiles two regular expressions
/// with Reflection.Emit: about 15 ms of a one-file diff's start, for a value read once.
/// </summary>
public static class HoconByteSize
{
    // HoconValue.ByteSizes, in its order (the first unit that matches wins).
    private static readonly (long Factor, string[] Units)[] Units =
    [
        (1L << 60, ["E", "e", "Ei", "EiB", "exbibyte", "exbibytes"]),
        (1_000_000_000_000_000_000L, ["EB", "exabyte", "exabytes"]),
        (1L << 50, ["P", "p", "Pi", "PiB", "pebibyte", "pebibytes"]),
        (1_000_000_000_000_000L, ["PB", "petabyte", "petabytes"]),
        (1L << 40, ["T", "t", "Ti", "TiB", "tebibyte", "tebibytes"]),
        (1_000_000_000_000L, ["TB", "terabyte", "terabytes"]),
        (1L << 30, ["G", "g", "Gi", "GiB", "gibibyte", "gibibytes"]),
        (1_000_000_000L, ["GB", "gigabyte", "gigabytes"]),
        (1L << 20, ["M", "m", "Mi", "MiB", "mebibyte", "mebibytes"]),
        (1_000_000L, ["MB", "megabyte", "megabytes"]),
        (1L << 10, ["K", "k", "Ki", "KiB", "kibibyte", "kibibytes"]),
        (1_000L, ["kB", "kilobyte", "kilobytes"]),
        (1L, ["b", "B", "byte", "bytes"]),
    ];

    /// <summary>The value in bytes; null for a missing or empty value, as Akka returns.</summary>
    /// <param name="text">The value as Config.GetString gives it.</param>
    /// <exception cref="FormatException">Not a whole number, or an unknown unit (Akka's exceptions and messages).</exception>
    public static long? Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        text = text.Trim();
        var last = text.AsSpan().LastIndexOfAnyInRange('0', '9');
        if (last == -1 || last + 1 >= text.Length)
        {
            return long.Parse(text, System.Globalization.CultureInfo.CurrentCulture);
        }

        var value = text[..(last + 1)];
        var unit = text[(last + 1)..].Trim();
        foreach (var (factor, units) in Units)
        {
            if (Array.IndexOf(units, unit) >= 0)
            {
                // Akka multiplies unchecked: a size past long.MaxValue wraps, and so does this one.
                return unchecked(factor * long.Parse(value, System.Globalization.CultureInfo.CurrentCulture));
            }
        }

        throw new FormatException($"{unit} is not a valid byte size suffix");
    }
}
