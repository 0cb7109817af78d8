using System.Text.Json;

namespace ParallelDiff.Core.Oci;

/// <summary>An OCI content descriptor (image-spec descriptor.md): what a blob is, its digest and size.</summary>
public sealed record OciDescriptor(string MediaType, string Digest, long Size)
{
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    /// <summary>Set on an index entry that points at an image manifest.</summary>
    public OciPlatform? Platform { get; init; }

    /// <summary>
    /// Writes the descriptor with Go's field order (mediaType, digest, size, annotations, platform)
    /// and the annotations sorted by key, so the same descriptor always gives the same bytes.
    /// </summary>
    public void WriteTo(Utf8JsonWriter json)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject();
        json.WriteString("mediaType", MediaType);
        json.WriteString("digest", Digest);
        json.WriteNumber("size", Size);
        if (Annotations is { Count: > 0 })
        {
            json.WriteStartObject("annotations");
            foreach (var (key, value) in Annotations.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                json.WriteString(key, value);
            }

            json.WriteEndObject();
        }

        if (Platform is not null)
        {
            json.WriteStartObject("platform");
            json.WriteString("architecture", Platform.Architecture);
            json.WriteString("os", Platform.Os);
            if (Platform.Variant is not null)
            {
                json.WriteString("variant", Platform.Variant);
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    /// <summary>Reads the fields this type models from a descriptor object; anything else is ignored.</summary>
    /// <exception cref="InvalidDataException">mediaType, digest or size is missing or of the wrong type.</exception>
    public static OciDescriptor FromJson(JsonElement element, string where)
    {
        try
        {
            var descriptor = new OciDescriptor(
                element.GetProperty("mediaType").GetString()!,
                element.GetProperty("digest").GetString()!,
                element.GetProperty("size").GetInt64());
            if (element.TryGetProperty("annotations", out var annotations) && annotations.ValueKind == JsonValueKind.Object)
            {
                descriptor = descriptor with
                {
                    Annotations = annotations.EnumerateObject().ToDictionary(a => a.Name, a => a.Value.GetString() ?? string.Empty, StringComparer.Ordinal),
                };
            }

            // An index entry's platform: a cluster node's report carries its image's manifest
            // descriptor to the coordinator, which tags it as a local export would.
            if (element.TryGetProperty("platform", out var platform) && platform.ValueKind == JsonValueKind.Object)
            {
                descriptor = descriptor with
                {
                    Platform = new OciPlatform(
                        platform.GetProperty("architecture").GetString()!,
                        platform.GetProperty("os").GetString()!,
                        platform.TryGetProperty("variant", out var variant) ? variant.GetString() : null),
                };
            }

            return descriptor;
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{where}: a descriptor needs mediaType, digest and size: {e.Message}", e);
        }
    }
}
