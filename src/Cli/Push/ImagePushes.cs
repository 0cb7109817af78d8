using ParallelDiff.Actors;
using ParallelDiff.Core.Export;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Oci;
using ParallelDiff.Registry;

namespace ParallelDiff.Cli.Push;

/// <summary>
/// The image a push sends after its layers: the same config and manifest bytes ImageWriter puts in
/// a layout (so the same manifest digest), its blobs made sure of, then the manifest and the tag.
/// </summary>
public static class ImagePushes
{
    /// <param name="layers">Bottom first; Open reads a layer the registry may lack (null: it was streamed up as it was written).</param>
    public static async Task<PushRecord> PushAsync(
        RegistrySession session, RegistryClient client, ImageReference target, IReadOnlyList<(LayerDescriptor Layer, Func<Stream>? Open)> layers, ImageConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(layers);
        var descriptors = layers.Select(l => l.Layer).ToList();
        var configJson = ImageWriter.ConfigJson(descriptors, config);
        var configDescriptor = new OciDescriptor(OciMediaTypes.ImageConfig, OciDigest.Of(configJson), configJson.Length);
        var manifestJson = ImageWriter.ManifestJson(configDescriptor, descriptors, config.Annotations);
        List<PushBlob> blobs = [.. layers.Select(l => new PushBlob(l.Layer.Digest, l.Layer.Size, l.Open)), PushBlob.FromBytes(configDescriptor.Digest, configJson)];
        return await PushAsync(session, client, target, blobs, manifestJson, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// An image stored in a layout, pushed as it is there: its manifest's bytes, and every blob it
    /// names read from the layout unless the registry has it. So a rerun makes sure of the very image
    /// an earlier run wrote, whatever time its config carries.
    /// </summary>
    /// <exception cref="InvalidDataException">The manifest blob is not an image manifest.</exception>
    public static async Task<PushRecord> PushStoredAsync(
        RegistrySession session, RegistryClient client, ImageReference target, OciLayout layout, OciDescriptor manifest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(manifest);
        var manifestJson = await File.ReadAllBytesAsync(layout.BlobPath(manifest.Digest), cancellationToken).ConfigureAwait(false);
        var blobs = StoredManifest.Parse(manifestJson, layout.BlobPath(manifest.Digest)).Blobs
            .Select(b => new PushBlob(b.Digest, b.Size, () => File.OpenRead(layout.BlobPath(b.Digest))))
            .ToList();
        return await PushAsync(session, client, target, blobs, manifestJson, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<PushRecord> PushAsync(
        RegistrySession session, RegistryClient client, ImageReference target, IReadOnlyList<PushBlob> blobs, byte[] manifestJson, CancellationToken cancellationToken)
    {
        var (pushed, manifest) = await ImagePush.PushAsync(client, session, blobs, manifestJson, target.Tag, cancellationToken).ConfigureAwait(false);
        foreach (var blob in pushed.Where(b => b.Arrival != BlobArrival.Uploaded && ParallelDiffTelemetry.IsEnabled))
        {
            // The registry is a cache too: a blob it had (HEAD) or could mount was not sent.
            ExportInstruments.CacheHits.Add(1, new KeyValuePair<string, object?>(ParallelDiffTelemetry.CacheTag, blob.Arrival == BlobArrival.Present ? "registry.present" : "registry.mounted"));
        }

        return new PushRecord(
            target.ToString(),
            manifest.Digest,
            [.. pushed.Select(b => new PushRecord.Blob(b.Digest, b.Size, b.Arrival switch
            {
                BlobArrival.Present => "present",
                BlobArrival.Mounted => "mounted",
                _ => "uploaded",
            }))]);
    }
}
