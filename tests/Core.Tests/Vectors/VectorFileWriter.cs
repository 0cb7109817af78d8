using System.Text;
using System.Text.Json.Nodes;
using ParallelDiff.Core.Tests.Apply;

namespace ParallelDiff.Core.Tests.Vectors;

/// <summary>
/// Writes a vector's JSON files in the layout the other vectors have: one top-level key per line,
/// and one line per entry, so that a diff of a vector shows which entries changed.
/// </summary>
public static class VectorFileWriter
{
    public static void Write(string path, JsonObject document)
    {
        var text = new StringBuilder("{\n");
        var first = true;
        foreach (var (key, value) in document)
        {
            text.Append(first ? string.Empty : ",\n").Append(' ').Append(RoundTripJson.Dumps(JsonValue.Create(key))).Append(": ");
            first = false;
            text.Append(value switch
            {
                JsonArray layers when key == "lowers" => Layers(layers),
                JsonArray entries when entries.All(e => e is JsonObject) && entries.Count > 0 => Lines(entries, "  "),
                JsonObject layer when layer["entries"] is JsonArray => Layer(layer, " "),
                _ => RoundTripJson.Dumps(value),
            });
        }

        File.WriteAllText(path, text.Append("\n}\n").ToString());
    }

    private static string Layers(JsonArray layers) =>
        "[\n" + string.Join(",\n", layers.Select(l => "  " + Layer(l!.AsObject(), "  "))) + "\n ]";

    private static string Layer(JsonObject layer, string indent) =>
        "{\n" + indent + " \"name\": " + RoundTripJson.Dumps(layer["name"]) + ",\n" + indent + " \"entries\": "
        + Lines(layer["entries"]!.AsArray(), indent + "  ") + "\n" + indent + "}";

    private static string Lines(JsonArray entries, string indent) =>
        "[\n" + string.Join(",\n", entries.Select(e => indent + RoundTripJson.Dumps(e))) + "\n" + indent[..^1] + "]";
}
