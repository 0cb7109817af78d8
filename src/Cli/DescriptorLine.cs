using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ParallelDiff.Core.Layers;
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

    /// <summary>
    /// The line <see cref="LayerDescriptor.ToJson"/> writes. A one-file diff would spend some 10 ms of
    /// its start on System.Text.Json's first use (its writer and the encoder's tables) for this one
    /// line, so when every string holds only characters that JSON writes as they are (media types and
    /// sha256 digests do) the line is put together here; any other goes through the writer.
    /// </summary>
    public static string Of(LayerDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (descriptor.Annotations is { Count: > 0 } || !IsVerbatim(descriptor.MediaType) || !IsVerbatim(descriptor.Digest) || !IsVerbatim(descriptor.DiffId))
        {
            return descriptor.ToJson();
        }

        return string.Concat(
            "{\"mediaType\":\"", descriptor.MediaType,
            "\",\"digest\":\"", descriptor.Digest,
            "\",\"size\":", descriptor.Size.ToString(CultureInfo.InvariantCulture),
            ",\"annotations\":{\"" + LayerDescriptor.UncompressedAnnotation + "\":\"", descriptor.DiffId,
            "\"}}");
    }

    /// <summary>Letters, digits and ".+-_:/": no JSON encoder escapes them (the relaxed one keeps '+' too).</summary>
    private static bool IsVerbatim(string value)
    {
        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '+' or '-' or '_' or ':' or '/'))
            {
                return false;
            }
        }

        return true;
    }
}
