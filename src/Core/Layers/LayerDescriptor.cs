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

    /// <summary>Media types carry '+': write it as is, as other container tools do, not as \u002B.</summary>
    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>One line of JSON: {"mediaType":…,"digest":…,"size":N,"annotations":{"containerd.io/uncompressed":…}}.</summary>
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
        json.WriteString(UncompressedAnnotation, DiffId);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
