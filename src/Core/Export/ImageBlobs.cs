using ParallelDiff.Core.Oci;

namespace ParallelDiff.Core.Export;

/// <summary>
/// The blobs one exported image is made of, as its manifest names them: the manifest itself, the
/// config, and the layers. A resumed snapshot counts as complete only when all of them are intact;
/// a deleted config leaves a tag that points to nothing a registry or runtime can pull.
/// </summary>
internal static class ImageBlobs
{
    /// <summary>Why the image cannot be trusted ("config blob sha256:… is missing"); null when every blob is intact.</summary>
    /// <param name="layerDigest">The layer the journal recorded; the manifest must name it.</param>
    public static string? Fault(StoredBlobs blobs, OciDescriptor manifest, string layerDigest)
    {
        if (blobs.Fault(manifest.Digest, manifest.Size) is { } manifestFault)
        {
            return $"manifest blob {manifest.Digest} {manifestFault}";
        }

        StoredManifest stored;
        try
        {
            // Intact, so these are the bytes this tool wrote for it.
            stored = StoredManifest.Parse(File.ReadAllBytes(blobs.Layout.BlobPath(manifest.Digest)), manifest.Digest);
        }
        catch (InvalidDataException)
        {
            return $"manifest blob {manifest.Digest} is not an image manifest";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"manifest blob {manifest.Digest} cannot be read ({e.Message})";
        }

        var (config, layers) = (stored.Config, stored.Layers);
        if (blobs.Fault(config.Digest, config.Size) is { } configFault)
        {
            return $"config blob {config.Digest} {configFault}";
        }

        if (!layers.Any(l => l.Digest == layerDigest))
        {
            return $"manifest blob {manifest.Digest} does not name its layer {layerDigest}";
        }

        foreach (var layer in layers)
        {
            if (blobs.Fault(layer.Digest, layer.Size) is { } layerFault)
            {
                return $"layer blob {layer.Digest} {layerFault}";
            }
        }

        return null;
    }
}
