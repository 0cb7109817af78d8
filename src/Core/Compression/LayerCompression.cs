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

    /// <summary>
    /// zstd:chunked (containers/storage pkg/chunked): the same tar as <see cref="Zstd"/>, each
    /// file's data in zstd frames of its own, then the table of contents, the tar-split data and a
    /// footer in skippable frames. Plain zstd decoders read it as the tar.
    /// </summary>
    ZstdChunked,

    /// <summary>
    /// eStargz (stargz-snapshotter's estargz package): a gzip stream of gzip members, each file's
    /// data in members of its own, with the stargz.index.json table of contents as the last tar
    /// entry and a footer member. Plain gzip decoders read it as a tar that includes the TOC entry.
    /// </summary>
    Estargz,
}
