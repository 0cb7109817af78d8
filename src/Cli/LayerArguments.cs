using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Layers;

namespace ParallelDiff.Cli;

/// <summary>The options that decide a layer's bytes: differ, conventions, compression.</summary>
public static class LayerArguments
{
    public static readonly string[] ValueOptions = ["--differ", "--opaque", "--xattrs", "--compression", "--level", "--source-date-epoch"];

    public static readonly string[] FlagOptions = ["--exact"];

    private static readonly string[] Differs = ["auto", "overlay", "walking"];

    private static readonly string[] OpaqueModes = ["explicit", "marker"];

    private static readonly string[] XattrModes = ["capability", "all"];

    /// <summary>The words of the options that take one of a few, as <see cref="Parse"/> accepts them.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Choices = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        ["--differ"] = Differs,
        ["--opaque"] = OpaqueModes,
        ["--xattrs"] = XattrModes,
        ["--compression"] = LayerCompressions.Names,
    };

    /// <summary>What the descriptor line looks like, for help texts.</summary>
    public const string DescriptorExample =
        "{\"mediaType\":…,\"digest\":\"sha256:…\",\"size\":N,\"annotations\":{\"containerd.io/uncompressed\":\"sha256:…\"}}";

    /// <summary>The layer options part of a command's --help.</summary>
    public const string Help = """
        layer
          --compression KIND   none|gzip|zstd|lz4|zstd:chunked|estargz (default gzip; lz4 gets a
                               custom media type; zstd:chunked and estargz are the lazy-pull formats)
          --level N            compression level (defaults in hocon/paralleldiff.conf: gzip 6, zstd 3;
                               zstd:chunked takes zstd's, estargz gzip's)
          --differ KIND        auto (default): the overlay differ, falling back to the walking differ
                               with a warning that names the reason; overlay: fail instead of falling
                               back; walking: compare the merged lower and upper views in full
          --exact              compare content whenever metadata is equal (BuildKit's nanosecond rule
                               skips files rewritten with the same size and mtime)
          --opaque MODE        explicit (default): a whiteout per hidden name, as BuildKit;
                               marker: .wh..wh..opq, as docker and containers/storage
          --xattrs WHICH       capability (default): only security.capability, as containerd;
                               all: every xattr except the overlay's private ones
          --source-date-epoch N  clamp mtimes later than N to N, as containerd's WithModTimeUpperBound
                               (whiteouts stay at 0), for reproducible layers; also $SOURCE_DATE_EPOCH
        """;

    public static LayerOptions Parse(CommandLine cl)
    {
        var differ = cl.Choice("--differ", "auto", Differs) switch
        {
            "overlay" => DifferKind.Overlay,
            "walking" => DifferKind.Walking,
            _ => DifferKind.Auto,
        };
        var diff = new DiffOptions
        {
            Exact = cl.Has("--exact"),
            OpaqueMarkers = cl.Choice("--opaque", "explicit", OpaqueModes) == "marker",
            Xattrs = cl.Choice("--xattrs", "capability", XattrModes) == "all" ? XattrPolicy.All : XattrPolicy.Capability,
        };
        return new LayerOptions
        {
            Differ = differ,
            Diff = diff,
            Writer = new ChangeWriterOptions { ModTimeUpperBound = SourceDateEpoch(cl) },
        };
    }

    /// <summary>--source-date-epoch N, else the SOURCE_DATE_EPOCH environment variable (reproducible builds spec).</summary>
    public static long? SourceDateEpoch(CommandLine cl)
    {
        var value = cl.Number("--source-date-epoch");
        if (value is not null)
        {
            return value;
        }

        var env = Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH");
        if (string.IsNullOrEmpty(env))
        {
            return null;
        }

        return long.TryParse(env, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new UsageException($"SOURCE_DATE_EPOCH='{env}' is not a whole number of seconds");
    }

    public static CompressionSettings Compression(CommandLine cl, Settings settings)
    {
        ArgumentNullException.ThrowIfNull(cl);
        return Compression(cl.Value("--compression") ?? "gzip", cl.Number("--level") is { } n ? checked((int)n) : null, settings);
    }

    /// <summary>A compression by name and level (null: the configured default level for that kind).</summary>
    public static CompressionSettings Compression(string name, int? level, Settings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!LayerCompressions.TryParse(name, out var kind))
        {
            throw new UsageException($"--compression '{name}': unknown compression (one of {string.Join('|', LayerCompressions.Names)})");
        }

        var chosen = level ?? settings.DefaultLevel(kind);
        if (chosen < kind.MinLevel() || chosen > kind.MaxLevel())
        {
            // Our words, not ArgumentOutOfRangeException's "(Parameter 'level')".
            var from = level is null ? $" (the default in {settings.Source})" : string.Empty;
            throw new UsageException($"--level {chosen}{from}: {kind.ToName()} levels are {kind.MinLevel()} to {kind.MaxLevel()}");
        }

        return CompressionSettings.For(kind, chosen, settings.BlockSize);
    }

    /// <summary>--differ's words.</summary>
    public static DifferKind Differ(string name) => name switch
    {
        "auto" => DifferKind.Auto,
        "overlay" => DifferKind.Overlay,
        "walking" => DifferKind.Walking,
        _ => throw new UsageException($"--differ: '{name}' is not one of auto|overlay|walking"),
    };
}
