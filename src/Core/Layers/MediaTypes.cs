using System.Text.Json;
using ParallelDiff.Core.Compression;

namespace ParallelDiff.Core.Layers;

/// <summary>
/// Layer media types. The first three are the OCI image-spec layer types (image-spec
/// media-types.md); OCI defines no LZ4 layer, so LZ4 blobs carry our own vendor type, which
/// registries store but ordinary runtimes will (rightly) refuse to unpack.
/// </summary>
public static class MediaTypes
{
    public const string LayerTar = "application/vnd.oci.image.layer.v1.tar";
    public const string LayerTarGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string LayerTarZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
    public const string LayerTarLz4 = "application/vnd.paralleldiff.image.layer.v1.tar+lz4";

    private static readonly string[] Layers = [LayerTarZstd, LayerTarGzip, LayerTar, LayerTarLz4];

    /// <summary>
    /// The media type a JSON string holds: this class's constant when it is one of ours, so a run
    /// that reads back a thousand layer reports (a warm --cache export) keeps one string, not a
    /// copy for each.
    /// </summary>
    /// <exception cref="InvalidOperationException">The value is not a string.</exception>
    public static string FromJson(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            foreach (var known in Layers)
            {
                if (value.ValueEquals(known))
                {
                    return known;
                }
            }
        }

        return value.GetString()!;
    }

    public static string ForLayer(LayerCompression compression) => compression switch
    {
        LayerCompression.None => LayerTar,
        LayerCompression.Gzip => LayerTarGzip,
        LayerCompression.Zstd => LayerTarZstd,
        LayerCompression.Lz4 => LayerTarLz4,

        // Both lazy-pull formats are valid streams of their codec and keep its media type: what
        // podman/containers-image push for zstd:chunked and stargz-snapshotter for eStargz; the
        // table of contents is found through the layer annotations.
        LayerCompression.ZstdChunked => LayerTarZstd,
        LayerCompression.Estargz => LayerTarGzip,
        _ => throw new ArgumentOutOfRangeException(nameof(compression), compression, "not a LayerCompression value"),
    };
}
