using System.Text.Json;

namespace ParallelDiff.Core.Export;

/// <summary>
/// Where a snapshot's image was pushed and how each blob got there ("uploaded", "present": found
/// by HEAD and not sent, "mounted": from another repository of the registry). Part of --report and
/// of the journal, so that a rerun knows what a registry already holds.
/// </summary>
public sealed record PushRecord(string Reference, string ManifestDigest, IReadOnlyList<PushRecord.Blob> Blobs)
{
    public sealed record Blob(string Digest, long Size, string Arrival);

    public void WriteTo(Utf8JsonWriter json)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject();
        json.WriteString("reference", Reference);
        json.WriteString("manifest", ManifestDigest);
        json.WriteStartArray("blobs");
        foreach (var blob in Blobs)
        {
            json.WriteStartObject();
            json.WriteString("digest", blob.Digest);
            json.WriteNumber("size", blob.Size);
            json.WriteString("arrival", blob.Arrival);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <exception cref="KeyNotFoundException">A field is missing.</exception>
    public static PushRecord FromJson(JsonElement element) =>
        new(
            element.GetProperty("reference").GetString()!,
            element.GetProperty("manifest").GetString()!,
            [.. element.GetProperty("blobs").EnumerateArray().Select(b => new Blob(b.GetProperty("digest").GetString()!, b.GetProperty("size").GetInt64(), b.GetProperty("arrival").GetString()!))]);
}
