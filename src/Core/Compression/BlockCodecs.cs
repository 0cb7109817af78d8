namespace ParallelDiff.Core.Compression;

/// <summary>Creates the <see cref="IBlockCodec"/> for a compression kind and level.</summary>
public static class BlockCodecs
{
    /// <summary>The codec at the kind's default level (gzip 6, zstd 3, lz4 fast).</summary>
    public static IBlockCodec Create(LayerCompression kind) => Create(kind, kind.DefaultLevel());

    /// <exception cref="ArgumentOutOfRangeException">The level is outside the kind's range.</exception>
    public static IBlockCodec Create(LayerCompression kind, int level)
    {
        kind.ValidateLevel(level);
        return kind switch
        {
            LayerCompression.None => new IdentityBlockCodec(),
            LayerCompression.Gzip => new GzipBlockCodec(level),
            LayerCompression.Zstd => new ZstdBlockCodec(level),
            LayerCompression.Lz4 => new Lz4BlockCodec(level),

            // Their frames follow the files, not fixed-size blocks: Layers.LazyPull writes them.
            LayerCompression.ZstdChunked or LayerCompression.Estargz => throw new ArgumentException(
                $"{kind.ToName()} layers are written file by file (SequentialLayerExporter), not in blocks", nameof(kind)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a LayerCompression value"),
        };
    }
}
