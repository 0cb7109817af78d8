using System.Globalization;
using ParallelDiff.Core.Fs;

namespace ParallelDiff.Core.Tests.Support;

/// <summary>How tree values read in difference messages: modes in octal, bytes as printable paths.</summary>
internal static class TreeText
{
    public const string None = "(none)";

    public static string Mode(int mode) => Convert.ToString(mode, 8).PadLeft(4, '0');

    public static string Bytes(byte[]? bytes) => bytes is null ? None : "\"" + PathBytes.Display(bytes) + "\"";

    public static string Base64(byte[]? bytes) => bytes is null ? None : Convert.ToBase64String(bytes);

    public static string Number(long? value) => value is null ? None : value.Value.ToString(CultureInfo.InvariantCulture);

    public static string Text(object? value) => value?.ToString() ?? None;

    /// <summary>A dictionary key for a byte path: base64 is exact and cheap, unlike a lossy string.</summary>
    public static string Key(ReadOnlySpan<byte> path) => Convert.ToBase64String(path);
}
