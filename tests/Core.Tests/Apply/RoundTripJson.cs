using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ParallelDiff.Core.Tests.Apply;

/// <summary>The vectors' JSON conventions: "key" for UTF-8 bytes, "key_b64" for any other bytes.</summary>
public static class RoundTripJson
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    public static byte[]? Bytes(JsonElement e, string key)
    {
        if (e.TryGetProperty(key, out var text))
        {
            return Encoding.UTF8.GetBytes(text.GetString()!);
        }

        return e.TryGetProperty(key + "_b64", out var b64) ? Convert.FromBase64String(b64.GetString()!) : null;
    }

    /// <summary>Stores bytes the way the vectors' put_bytes does.</summary>
    public static void PutBytes(JsonObject o, string key, byte[] raw)
    {
        try
        {
            o[key] = StrictUtf8.GetString(raw);
        }
        catch (DecoderFallbackException)
        {
            o[key + "_b64"] = Convert.ToBase64String(raw);
        }
    }

    /// <summary>Python's json.dumps (ensure_ascii, ", " and ": " separators), for difference messages.</summary>
    public static string Dumps(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return "null";
            case JsonArray a:
                return "[" + string.Join(", ", a.Select(Dumps)) + "]";
            case JsonObject o:
                return "{" + string.Join(", ", o.Select(p => Dumps(JsonValue.Create(p.Key)) + ": " + Dumps(p.Value))) + "}";
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                var sb = new StringBuilder("\"");
                foreach (var ch in v.GetValue<string>())
                {
                    sb.Append(ch switch
                    {
                        '"' => "\\\"",
                        '\\' => "\\\\",
                        '\n' => "\\n",
                        '\t' => "\\t",
                        '\r' => "\\r",
                        _ when ch < 0x20 || ch > 0x7f => "\\u" + ((int)ch).ToString("x4", CultureInfo.InvariantCulture),
                        _ => ch.ToString(),
                    });
                }

                return sb.Append('"').ToString();
            default:
                return node.ToJsonString();
        }
    }

    public static string Key(JsonObject e) =>
        e["path"] is { } p ? p.GetValue<string>() : "b64:" + e["path_b64"]!.GetValue<string>();
}
