using Akka.Configuration;
using ParallelDiff.Core.Compression;

namespace ParallelDiff.Cli;

/// <summary>
/// The CLI's defaults, read from HOCON: hocon/paralleldiff.conf beside the binary, with an
/// optional override file on top. Defaults live in the file, not here.
/// </summary>
public sealed class Settings
{
    public const string FileName = "paralleldiff.conf";

    private Settings(Config config, string source)
    {
        Config = config;
        Source = source;
    }

    public Config Config { get; }

    /// <summary>Which files the settings came from, for --help and errors.</summary>
    public string Source { get; }

    public int BlockSize => checked((int)(Config.GetByteSize("paralleldiff.compression.block-size") ?? throw Missing("compression.block-size")));

    public int DefaultLevel(LayerCompression kind) => kind switch
    {
        LayerCompression.Gzip => Config.GetInt("paralleldiff.compression.gzip-level"),
        LayerCompression.Zstd => Config.GetInt("paralleldiff.compression.zstd-level"),
        LayerCompression.Lz4 => Config.GetInt("paralleldiff.compression.lz4-level"),
        _ => 0,
    };

    public static Settings Load(string? overridePath)
    {
        var defaults = Path.Combine(AppContext.BaseDirectory, "hocon", FileName);
        if (!File.Exists(defaults))
        {
            throw new UsageException($"{defaults}: the default configuration is missing (reinstall or rebuild)");
        }

        var config = ConfigurationFactory.ParseString(File.ReadAllText(defaults));
        var source = defaults;
        overridePath ??= Environment.GetEnvironmentVariable("PARALLELDIFF_CONFIG");
        if (!string.IsNullOrEmpty(overridePath))
        {
            if (!File.Exists(overridePath))
            {
                throw new UsageException($"--config {overridePath}: no such file");
            }

            config = ConfigurationFactory.ParseString(File.ReadAllText(overridePath)).WithFallback(config);
            source = overridePath + " over " + defaults;
        }

        return new Settings(config, source);
    }

    private static UsageException Missing(string key) => new($"configuration key paralleldiff.{key} is missing");
}
