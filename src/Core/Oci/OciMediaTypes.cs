namespace ParallelDiff.Core.Oci;

/// <summary>The OCI image-spec media types of the documents an image layout holds (image-spec media-types.md).</summary>
public static class OciMediaTypes
{
    public const string ImageIndex = "application/vnd.oci.image.index.v1+json";
    public const string ImageManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string ImageConfig = "application/vnd.oci.image.config.v1+json";

    /// <summary>The index annotation that names an image in a layout (image-spec annotations.md).</summary>
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";
}
