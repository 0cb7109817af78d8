using System.Globalization;
using System.Text.Json;
using ParallelDiff.Core.Layers;

namespace ParallelDiff.Core.Oci;

/// <summary>
/// Turns layers already stored in a layout into an image: an OCI image config whose
/// rootfs.diff_ids are the layers' diffIDs, a manifest that lists the layer blobs, and an
/// index.json entry that names it. The JSON is compact with a fixed key order (Go's struct order,
/// as in the image-spec Go types), so the same input always gives the same digests.
/// </summary>
public static class ImageWriter
{
    /// <summary>Writes config and manifest as blobs and tags the manifest.</summary>
    /// <param name="layers">The layers bottom first, each with its diffID; their blobs must be in the layout.</param>
    /// <exception cref="InvalidOperationException">A layer blob is not in the layout.</exception>
    public static OciImage Write(OciLayout layout, IReadOnlyList<LayerDescriptor> layers, string refName, ImageConfig? config = null, CancellationToken cancellationToken = default)
    {
        var image = WriteBlobs(layout, layers, refName, config);
        layout.Tag(image.Manifest, refName, cancellationToken);
        return image;
    }

    /// <summary>
    /// Writes config and manifest as blobs, without tagging: for a caller that tags many images in one
    /// index update (<see cref="OciLayout.Tag(IReadOnlyList{ValueTuple{OciDescriptor, string}}, CancellationToken)"/>).
    /// </summary>
    /// <returns>The image as it will be once tagged <paramref name="refName"/>.</returns>
    /// <exception cref="InvalidOperationException">A layer blob is not in the layout.</exception>
    public static OciImage WriteBlobs(OciLayout layout, IReadOnlyList<LayerDescriptor> layers, string refName, ImageConfig? config = null) =>
        WriteBlobs(layout, layers, refName, config, (mediaType, json) => layout.WriteBlob(mediaType, json));

    /// <summary>
    /// As <see cref="WriteBlobs(OciLayout, IReadOnlyList{LayerDescriptor}, string, ImageConfig?)"/>, leaving
    /// the fsyncs of config and manifest to <paramref name="pending"/>, whose Sync must come before the tag.
    /// </summary>
    public static OciImage WriteBlobs(OciLayout layout, IReadOnlyList<LayerDescriptor> layers, string refName, PendingBlobs pending, ImageConfig? config = null)
    {
        ArgumentNullException.ThrowIfNull(pending);
        return WriteBlobs(layout, layers, refName, config, (mediaType, json) => layout.WriteBlob(mediaType, json, pending));
    }

    /// <summary>
    /// As <see cref="WriteBlobs(OciLayout, IReadOnlyList{LayerDescriptor}, string, ImageConfig?)"/>, each
    /// document stored by <paramref name="writeBlob"/> (media type, bytes; it returns the descriptor).
    /// </summary>
    public static OciImage WriteBlobs(OciLayout layout, IReadOnlyList<LayerDescriptor> layers, string refName, ImageConfig? config, Func<string, byte[], OciDescriptor> writeBlob)
    {
        ArgumentNullException.ThrowIfNull(writeBlob);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(layers);
        config ??= ImageConfig.Default;
        for (var i = 0; i < layers.Count; i++)
        {
            if (!layout.IsStored(layers[i].Digest))
            {
                throw new InvalidOperationException($"{layout.Root}: the layer blob {layers[i].Digest} is not stored in the layout; add it before writing the image");
            }
        }

        var configDescriptor = writeBlob(OciMediaTypes.ImageConfig, ConfigJson(layers, config));
        var manifest = writeBlob(OciMediaTypes.ImageManifest, ManifestJson(configDescriptor, layers, config.Annotations)) with { Platform = config.Platform };
        return new OciImage(manifest, configDescriptor, refName);
    }

    /// <summary>
    /// The image config (config.md): created?, author?, architecture, os, variant?, config {},
    /// rootfs {type: layers, diff_ids}, history?.
    /// </summary>
    /// <exception cref="ArgumentException">History entries that add layers do not match the layers in number.</exception>
    public static byte[] ConfigJson(IReadOnlyList<LayerDescriptor> layers, ImageConfig config)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(config);
        var layerSteps = config.History?.Count(h => !h.EmptyLayer);
        if (layerSteps is not null && layerSteps != layers.Count)
        {
            throw new ArgumentException($"the history has {layerSteps} entries that add a layer, but the image has {layers.Count} layers", nameof(config));
        }

        return OciJson.Serialize(json =>
        {
            json.WriteStartObject();
            WriteOptional(json, "created", config.Created);
            WriteOptional(json, "author", config.Author);
            json.WriteString("architecture", config.Platform.Architecture);
            json.WriteString("os", config.Platform.Os);
            WriteOptional(json, "variant", config.Platform.Variant);
            WriteContainer(json, config.Container);
            json.WriteStartObject("rootfs");
            json.WriteString("type", "layers");
            json.WriteStartArray("diff_ids");
            foreach (var layer in layers)
            {
                json.WriteStringValue(layer.DiffId);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            if (config.History is not null)
            {
                json.WriteStartArray("history");
                foreach (var step in config.History)
                {
                    json.WriteStartObject();
                    WriteOptional(json, "created", step.Created);
                    WriteOptional(json, "created_by", step.CreatedBy);
                    WriteOptional(json, "author", step.Author);
                    WriteOptional(json, "comment", step.Comment);
                    if (step.EmptyLayer)
                    {
                        json.WriteBoolean("empty_layer", true);
                    }

                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
        });
    }

    /// <summary>
    /// The image manifest (manifest.md): schemaVersion, mediaType, config, layers. Layer descriptors
    /// carry no containerd.io/uncompressed: it is internal to containerd and BuildKit drops it on
    /// export (RemoveInternalLayerAnnotations; spec §10); the diffID is in the config instead. They
    /// do carry the format's own (<see cref="LayerDescriptor.Annotations"/>): containers/storage finds
    /// a zstd:chunked TOC and stargz-snapshotter checks an eStargz TOC through them.
    /// </summary>
    public static byte[] ManifestJson(OciDescriptor config, IReadOnlyList<LayerDescriptor> layers, IReadOnlyDictionary<string, string>? annotations = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(layers);
        return OciJson.Serialize(json =>
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", 2);
            json.WriteString("mediaType", OciMediaTypes.ImageManifest);
            json.WritePropertyName("config");
            config.WriteTo(json);
            json.WriteStartArray("layers");
            foreach (var layer in layers)
            {
                new OciDescriptor(layer.MediaType, layer.Digest, layer.Size) { Annotations = layer.Annotations }.WriteTo(json);
            }

            json.WriteEndArray();
            WriteMap(json, "annotations", annotations);
            json.WriteEndObject();
        });
    }

    /// <summary>"config", in the image-spec Go struct's order: User, Env, Entrypoint, Cmd, WorkingDir, Labels.</summary>
    private static void WriteContainer(Utf8JsonWriter json, ContainerSettings? container)
    {
        json.WriteStartObject("config");
        if (container is not null)
        {
            WriteOptional(json, "User", container.User);
            WriteList(json, "Env", container.Env);
            WriteList(json, "Entrypoint", container.Entrypoint);
            WriteList(json, "Cmd", container.Cmd);
            WriteOptional(json, "WorkingDir", container.WorkingDir);
            WriteMap(json, "Labels", container.Labels);
        }

        json.WriteEndObject();
    }

    private static void WriteList(Utf8JsonWriter json, string name, IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            return;
        }

        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private static void WriteMap(Utf8JsonWriter json, string name, IReadOnlyDictionary<string, string>? map)
    {
        if (map is null || map.Count == 0)
        {
            return;
        }

        json.WriteStartObject(name);
        foreach (var (key, value) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            json.WriteString(key, value);
        }

        json.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    /// <summary>RFC 3339 in UTC with the fraction trimmed, as Go's time.Time marshals.</summary>
    private static void WriteOptional(Utf8JsonWriter json, string name, DateTimeOffset? value)
    {
        if (value is { } time)
        {
            var text = time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
            json.WriteString(name, text + "Z");
        }
    }

}
