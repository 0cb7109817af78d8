using System.Text;
using System.Text.Json;

namespace ParallelDiff.Core.Tests.Vectors;

/// <summary>Field readers shared by the snapshot.json and merged.json parsers.</summary>
internal static class VectorJson
{
    /// <summary>"key" (UTF-8 text) or "key_b64" (any bytes), as raw bytes; null when neither is there.</summary>
    public static byte[]? OptionalBytes(JsonElement obj, string key)
    {
        if (obj.TryGetProperty(key, out var text))
        {
            return Encoding.UTF8.GetBytes(text.GetString()!);
        }

        return obj.TryGetProperty(key + "_b64", out var b64) ? Convert.FromBase64String(b64.GetString()!) : null;
    }

    public static byte[] RequiredBytes(JsonElement obj, string key) =>
        OptionalBytes(obj, key) ?? throw new FormatException($"entry without \"{key}\" or \"{key}_b64\": {obj.GetRawText()}");

    /// <summary>A mode as the vectors write it: a 4-digit octal string such as "4755".</summary>
    public static int Mode(JsonElement obj) => Convert.ToInt32(obj.GetProperty("mode").GetString(), 8);

    public static long? OptionalInt64(JsonElement obj, string key) =>
        obj.TryGetProperty(key, out var value) ? value.GetInt64() : null;

    public static Support.DeviceNumber? OptionalRdev(JsonElement obj) =>
        obj.TryGetProperty("rdev", out var rdev)
            ? new Support.DeviceNumber(rdev.GetProperty("major").GetUInt32(), rdev.GetProperty("minor").GetUInt32())
            : null;

    public static List<string> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToList();
}
