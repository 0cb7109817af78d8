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
        var (pushed, manifest) = await ImagePush.PushAsync(client, session, blobs, manifestJson, target.Tag, cancellationToken).ConfigureAwait(false);
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
