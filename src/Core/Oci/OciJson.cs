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
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            write(json);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
