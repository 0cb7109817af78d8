using System.Buffers;
using System.Text.Json;

namespace ParallelDiff.Core.Oci;

/// <summary>
/// index.json as bytes in and bytes out: parsed into a JsonDocument, checked, and written again
/// element by element with tags applied on the way. A bulk export rewrites the whole index for every
/// group of snapshots it records; built as a JsonNode tree (a dictionary per manifest) that rewrite
/// was a third of a 1,000-snapshot export's CPU. JsonElement.WriteTo gives the bytes the tree gave
/// (OciJson's compact form and escaping), and fields and entries this code does not model are kept.
/// </summary>
internal static class IndexDocument
{
    /// <summary>An index without manifests: what index.json holds before the first tag.</summary>
    public static byte[] Empty() => OciJson.Serialize(json =>
    {
        json.WriteStartObject();
        json.WriteNumber("schemaVersion", 2);
        json.WriteString("mediaType", OciMediaTypes.ImageIndex);
        json.WriteStartArray("manifests");
        json.WriteEndArray();
        json.WriteEndObject();
    });

    /// <summary>Parses index.json's bytes and checks that they are an OCI image index (schemaVersion 2, a manifests list).</summary>
    /// <exception cref="InvalidDataException">Not JSON, or not an image index; the message names <paramref name="path"/>.</exception>
    public static JsonDocument Parse(ReadOnlyMemory<byte> bytes, string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not JSON ({e.Message}); refusing to replace it", e);
        }

        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("schemaVersion", out var version) || version.ValueKind != JsonValueKind.Number
            || !version.TryGetInt32(out var number) || number != 2
            || !root.TryGetProperty("manifests", out var manifests) || manifests.ValueKind != JsonValueKind.Array)
        {
            document.Dispose();
            throw new InvalidDataException($"{path}: not an OCI image index (schemaVersion 2 and a manifests list); refusing to replace it");
        }

        return document;
    }

    /// <summary>
    /// The index with <paramref name="entries"/> appended in their order, after dropping every manifest
    /// already listed under one of their ref names. Each entry carries its ref name annotation.
    /// </summary>
    /// <param name="output">Where the index's bytes are written, at its end.</param>
    public static void WithEntries(JsonElement index, IReadOnlyList<OciDescriptor> entries, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var names = entries.Select(RefName).ToHashSet(StringComparer.Ordinal);
        var kept = index.GetProperty("manifests").EnumerateArray().Where(m => !IsNamed(m, names)).Select(m => (Action<Utf8JsonWriter>)m.WriteTo);
        WriteWithManifests(output, index, kept.Concat(entries.Select(e => (Action<Utf8JsonWriter>)e.WriteTo)));
    }

    /// <summary>
    /// The index with its named manifests in ordinal ref-name order behind the unnamed ones (which
    /// keep their order), or null when it is in that order already. Equal names keep their order.
    /// </summary>
    public static byte[]? InRefNameOrder(JsonElement index)
    {
        var manifests = index.GetProperty("manifests").EnumerateArray().Select((m, i) => (Manifest: m, At: i, Name: RefNameOf(m))).ToList();
        var order = InOrder(manifests, m => m.Name);
        if (order.Select((m, i) => m.At == i).All(same => same))
        {
            return null;
        }

        return WithManifests(index, order.Select(m => (Action<Utf8JsonWriter>)m.Manifest.WriteTo));
    }

    /// <summary>The unnamed first, in their order; then the named by ordinal name (a stable sort: equal names keep their order).</summary>
    internal static List<T> InOrder<T>(List<T> manifests, Func<T, string?> nameOf) =>
        [.. manifests.Where(m => nameOf(m) is null), .. manifests.Where(m => nameOf(m) is not null).OrderBy(nameOf, StringComparer.Ordinal)];

    /// <summary>The index's bytes with its other fields as they are and its manifests list written by <paramref name="manifests"/>.</summary>
    private static byte[] WithManifests(JsonElement index, IEnumerable<Action<Utf8JsonWriter>> manifests)
    {
        using var output = new PooledBufferWriter(4096);
        WriteWithManifests(output, index, manifests);
        return output.WrittenSpan.ToArray();
    }

    private static void WriteWithManifests(IBufferWriter<byte> output, JsonElement index, IEnumerable<Action<Utf8JsonWriter>> manifests) => OciJson.SerializeTo(output, json =>
    {
        json.WriteStartObject();
        foreach (var property in index.EnumerateObject())
        {
            if (property.NameEquals("manifests"))
            {
                json.WriteStartArray("manifests");
                foreach (var write in manifests)
                {
                    write(json);
                }

                json.WriteEndArray();
            }
            else
            {
                property.WriteTo(json);
            }
        }

        json.WriteEndObject();
    });

    internal static string RefName(OciDescriptor entry) =>
        entry.Annotations?.GetValueOrDefault(OciMediaTypes.RefNameAnnotation)
        ?? throw new ArgumentException($"index entry {entry.Digest} has no {OciMediaTypes.RefNameAnnotation} annotation", nameof(entry));

    private static bool IsNamed(JsonElement manifest, HashSet<string> names) => RefNameOf(manifest) is { } name && names.Contains(name);

    internal static string? RefNameOf(JsonElement manifest) =>
        manifest.ValueKind == JsonValueKind.Object
        && manifest.TryGetProperty("annotations", out var annotations) && annotations.ValueKind == JsonValueKind.Object
        && annotations.TryGetProperty(OciMediaTypes.RefNameAnnotation, out var name) && name.ValueKind == JsonValueKind.String
            ? name.GetString()
            : null;
}
