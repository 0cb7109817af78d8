using System.Diagnostics.CodeAnalysis;

namespace ParallelDiff.Core.Compression;

/// <summary>Names, default levels and level ranges of the <see cref="LayerCompression"/> kinds.</summary>
public static class LayerCompressions
{
    /// <summary>The accepted names, in the order they are listed in messages.</summary>
    public static IReadOnlyList<string> Names { get; } = ["none", "gzip", "zstd", "lz4", "zstd:chunked", "estargz"];

    /// <summary>Parses "none", "gzip", "zstd", "lz4", "zstd:chunked" or "estargz" (ASCII case-insensitive).</summary>
    /// <exception cref="FormatException">The name is none of those.</exception>
    public static LayerCompression Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (TryParse(name, out var kind))
        {
            return kind;
        }

        throw new FormatException($"unknown layer compression '{name}'; expected one of: {string.Join(", ", Names)}");
    }

    public static bool TryParse([NotNullWhen(true)] string? name, out LayerCompression kind)
    {
        kind = LayerCompression.None;
        if (name is null)
        {
            return false;
        }

        for (var i = 0; i < Names.Count; i++)
        {
            if (string.Equals(name, Names[i], StringComparison.OrdinalIgnoreCase))
            {
                kind = (LayerCompression)i;
                return true;
            }
        }

        return false;
    }

    /// <summary>The lower-case name that <see cref="Parse"/> accepts.</summary>
    public static string ToName(this LayerCompression kind) => kind switch
    {
        LayerCompression.None => "none",
        LayerCompression.Gzip => "gzip",
        LayerCompression.Zstd => "zstd",
        LayerCompression.Lz4 => "lz4",
        LayerCompression.ZstdChunked => "zstd:chunked",
        LayerCompression.Estargz => "estargz",
        _ => throw UnknownKind(kind),
    };

    /// <summary>
    /// The level used when none is configured: gzip 6 and zstd 3 are the defaults of the gzip and
    /// zstd tools; lz4 0 is the fast (non-HC) compressor, which is what the lz4 tool runs by default.
    /// </summary>
    public static int DefaultLevel(this LayerCompression kind) => kind.FrameCodec() switch
    {
        LayerCompression.None => 0,
        LayerCompression.Gzip => 6,
        LayerCompression.Zstd => 3,
        LayerCompression.Lz4 => 0,
        _ => throw UnknownKind(kind),
    };

    /// <summary>Lowest accepted level: gzip 0 stores without compressing; zstd allows negative "fast" levels.</summary>
    public static int MinLevel(this LayerCompression kind) => kind.FrameCodec() switch
    {
        LayerCompression.None => 0,
        LayerCompression.Gzip => 0,
        LayerCompression.Zstd => ZstdSharp.Compressor.MinCompressionLevel,
        LayerCompression.Lz4 => 0,
        _ => throw UnknownKind(kind),
    };

    /// <summary>Highest accepted level: deflate 9, zstd 22, LZ4 12 (LZ4HC "max").</summary>
    public static int MaxLevel(this LayerCompression kind) => kind.FrameCodec() switch
    {
        LayerCompression.None => 0,
        LayerCompression.Gzip => 9,
        LayerCompression.Zstd => ZstdSharp.Compressor.MaxCompressionLevel,
        LayerCompression.Lz4 => 12,
        _ => throw UnknownKind(kind),
    };

    /// <summary>
    /// Whether the layer is written file by file with a table of contents (zstd:chunked, eStargz),
    /// for clients that pull lazily or partially, rather than cut into fixed-size blocks.
    /// </summary>
    public static bool IsLazyPull(this LayerCompression kind) => kind is LayerCompression.ZstdChunked or LayerCompression.Estargz;

    /// <summary>The codec of the frames or members: zstd for zstd:chunked, gzip for eStargz, else the kind itself.</summary>
    public static LayerCompression FrameCodec(this LayerCompression kind) => kind switch
    {
        LayerCompression.ZstdChunked => LayerCompression.Zstd,
        LayerCompression.Estargz => LayerCompression.Gzip,
        _ => kind,
    };

    /// <summary>Throws a message naming the kind and its range when <paramref name="level"/> is outside it.</summary>
    public static void ValidateLevel(this LayerCompression kind, int level)
    {
        if (level < kind.MinLevel() || level > kind.MaxLevel())
        {
            throw new ArgumentOutOfRangeException(
                nameof(level), level, $"{kind.ToName()} compression level must be between {kind.MinLevel()} and {kind.MaxLevel()}");
        }
    }

    private static ArgumentOutOfRangeException UnknownKind(LayerCompression kind) =>
        new(nameof(kind), kind, "not a LayerCompression value");
}
