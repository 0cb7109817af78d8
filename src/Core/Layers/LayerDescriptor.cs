using System.Text;
using System.Text.Json;

namespace ParallelDiff.Core.Layers;

/// <summary>
/// An OCI descriptor of a layer blob, with the diffID (sha256 of the uncompressed tar) as the
/// containerd.io/uncompressed annotation, as BuildKit's blob descriptors carry it.
/// </summary>
public sealed record LayerDescriptor(string MediaType, string Digest, long Size, string DiffId)
{
    public const string UncompressedAnnotation = "containerd.io/uncompressed";

    /// <summary>
    /// The annotations the blob's format asks its readers to find on the manifest's layer descriptor
    /// (zstd:chunked's manifest position and checksum, eStargz's TOC digest); null for the others.
    /// Never <see cref="UncompressedAnnotation"/>, which is internal to containerd and not pushed.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    /// <summary>Equal fields and equal annotations (by key and value, not by dictionary instance).</summary>
    public bool Equals(LayerDescriptor? other) =>
        other is not null && MediaType == other.MediaType && Digest == other.Digest && Size == other.Size && DiffId == other.DiffId
        && (Annotations ?? EmptyAnnotations).Count == (other.Annotations ?? EmptyAnnotations).Count
        && (Annotations ?? EmptyAnnotations).All(a => other.Annotations!.TryGetValue(a.Key, out var v) && v == a.Value);

    public override int GetHashCode() => HashCode.Combine(MediaType, Digest, Size, DiffId, Annotations?.Count ?? 0);

    private static readonly Dictionary<string, string> EmptyAnnotations = [];

    /// <summary>Every annotation of the descriptor line: the format's and containerd.io/uncompressed, by key.</summary>
    public IEnumerable<KeyValuePair<string, string>> AllAnnotations =>
        (Annotations ?? new Dictionary<string, string>()).Where(a => a.Key != UncompressedAnnotation)
            .Append(new(UncompressedAnnotation, DiffId))
            .OrderBy(a => a.Key, StringComparer.Ordinal);

    /// <summary>Media types carry '+': write it as is, as other container tools do, not as \u002B.</summary>
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One line of JSON: {"mediaType":…,"digest":…,"size":N,"annotations":{"containerd.io/uncompressed":…, and the format's}}.</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, JsonOptions))
        {
            WriteTo(json);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public void WriteTo(Utf8JsonWriter json)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject();
        json.WriteString("mediaType", MediaType);
        json.WriteString("digest", Digest);
        json.WriteNumber("size", Size);
        json.WriteStartObject("annotations");
        foreach (var (key, value) in AllAnnotations)
        {
            json.WriteString(key, value);
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>The annotations of a descriptor object other than containerd.io/uncompressed; null when there are none.</summary>
    public static IReadOnlyDictionary<string, string>? FormatAnnotations(JsonElement descriptor)
    {
        if (!descriptor.TryGetProperty("annotations", out var annotations) || annotations.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        // Most descriptors carry containerd.io/uncompressed alone: no dictionary for them (a warm
        // --cache export reads one per snapshot from its record).
        Dictionary<string, string>? kept = null;
        foreach (var annotation in annotations.EnumerateObject())
        {
            if (annotation.Value.ValueKind == JsonValueKind.String && !annotation.NameEquals(UncompressedAnnotation))
            {
                (kept ??= new Dictionary<string, string>(StringComparer.Ordinal)).Add(annotation.Name, annotation.Value.GetString()!);
            }
        }

        return kept;
    }
}
