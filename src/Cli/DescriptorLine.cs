using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ParallelDiff.Core.Oci;

namespace ParallelDiff.Cli;

/// <summary>An OCI descriptor as the one JSON line a command prints on stdout ('+' in media types left as is).</summary>
public static class DescriptorLine
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Of(OciDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            descriptor.WriteTo(json);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
