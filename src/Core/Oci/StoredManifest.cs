using System.Text.Json;

namespace ParallelDiff.Core.Oci;

/// <summary>What an image manifest stored in a layout names: its config and its layers (image-spec manifest.md).</summary>
public sealed record StoredManifest(OciDescriptor Config, IReadOnlyList<OciDescriptor> Layers)
{
    /// <summary>Every blob the manifest names, layers first (bottom first), then the config.</summary>
    public IReadOnlyList<OciDescriptor> Blobs => [.. Layers, Config];

    /// <exception cref="InvalidDataException">The bytes are not an image manifest; the message names <paramref name="where"/>.</exception>
    public static StoredManifest Parse(byte[] json, string where)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            return new StoredManifest(
                OciDescriptor.FromJson(root.GetProperty("config"), where),
                root.GetProperty("layers").EnumerateArray().Select(l => OciDescriptor.FromJson(l, where)).ToList());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"{where}: not an image manifest ({e.Message})", e);
        }
    }
}
