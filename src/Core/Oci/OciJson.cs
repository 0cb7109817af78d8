using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ParallelDiff.Core.Oci;

/// <summary>How every OCI document here is written: compact, UTF-8, in the order the writer gives.</summary>
internal static class OciJson
{
    /// <summary>
    /// The relaxed encoder leaves '+' in "…manifest.v1+json" as it is (the default one writes
    /// \u002B); these documents are never embedded in HTML, so nothing needs more escaping than JSON's own.
    /// </summary>
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Serialize(Action<Utf8JsonWriter> write)
    {
        using var buffer = new PooledBufferWriter(4096);
        SerializeTo(buffer, write);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the document at the end of <paramref name="output"/>: for big ones (a bulk export's index), which need not become an array of their own.</summary>
    public static void SerializeTo(IBufferWriter<byte> output, Action<Utf8JsonWriter> write)
    {
        using var json = new Utf8JsonWriter(output, Options);
        write(json);
    }
}
