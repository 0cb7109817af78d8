namespace ParallelDiff.Core.Compression;

/// <summary>How a layer's tar stream is compressed into its blob.</summary>
public enum LayerCompression
{
    /// <summary>The blob is the plain tar stream.</summary>
    None,

    /// <summary>Concatenated gzip members (RFC 1952), one per block.</summary>
    Gzip,

    /// <summary>Concatenated Zstandard frames (RFC 8878), one per block.</summary>
    Zstd,

    /// <summary>Concatenated LZ4 frames (LZ4 frame format 1.6), one per block; not an OCI standard type.</summary>
    Lz4,
}
