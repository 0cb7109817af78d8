using ParallelDiff.Core.Compression;

namespace ParallelDiff.Core.Layers;

/// <summary>
/// How a layer's tar is compressed. The block size is part of the output's identity: the same
/// tar, kind, level and block size give the same bytes at any parallelism.
/// </summary>
public sealed record CompressionSettings(LayerCompression Kind, int Level, int BlockSize)
{
    /// <summary>4 MiB: large enough that independent blocks cost well under 1 % of ratio.</summary>
    public const int DefaultBlockSize = 4 * 1024 * 1024;

    public static CompressionSettings For(LayerCompression kind, int? level = null, int blockSize = DefaultBlockSize)
    {
        var chosen = level ?? kind.DefaultLevel();
        kind.ValidateLevel(chosen);
        return new CompressionSettings(kind, chosen, blockSize);
    }

    public static CompressionSettings None { get; } = new(LayerCompression.None, 0, DefaultBlockSize);
}
