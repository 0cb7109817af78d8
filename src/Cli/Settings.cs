using Akka.Configuration;
using ParallelDiff.Actors;
using ParallelDiff.Core.Compression;

namespace ParallelDiff.Cli;

/// <summary>
/// The CLI's defaults, read from HOCON: hocon/paralleldiff.conf beside the binary, with an
/// optional override file on top. Defaults live in the file, not here.
/// </summary>
public sealed class Settings
{
    public const string FileName = "paralleldiff.conf";

    private static readonly string[] LogLevels = ["off", "error", "warning", "info", "debug"];

    /// <summary>--log-level's words, as <see cref="Load(CommandLine)"/> accepts them.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Choices = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        ["--log-level"] = LogLevels,
    };

    private Settings(Config config, string source)
    {
        Config = config;
        Source = source;
    }

    public Config Config { get; }

    /// <summary>Which files the settings came from, for --help and errors.</summary>
    public string Source { get; }

    public int BlockSize => checked((int)(ByteSize("paralleldiff.compression.block-size") ?? throw Missing("compression.block-size")));

    /// <summary>Workers one layer may use when it has the machine to itself (pipeline.parallelism; 0 = one per core).</summary>
    public int Parallelism => Int("paralleldiff.pipeline.parallelism") is > 0 and var n ? n : Environment.ProcessorCount;

    /// <summary>File data one layer reads ahead of its tar writer (pipeline.read-ahead-bytes).</summary>
    public long ReadAheadBytes => ByteSize("paralleldiff.pipeline.read-ahead-bytes") ?? throw Missing("pipeline.read-ahead-bytes");

    /// <summary>Layers a bulk export runs at once unless --max-concurrent says (export.max-concurrent; 0 = one per core).</summary>
    public int MaxConcurrent => Int("paralleldiff.export.max-concurrent");

    /// <summary>What all layers in flight may hold in memory together (export.memory-budget).</summary>
    public long MemoryBudget => ByteSize("paralleldiff.export.memory-budget") ?? throw Missing("export.memory-budget");

    /// <summary>What one layer holds whatever its parallelism: its read-ahead plus export.memory-per-layer.</summary>
    public long MemoryPerLayer => ReadAheadBytes + (ByteSize("paralleldiff.export.memory-per-layer") ?? throw Missing("export.memory-per-layer"));

    /// <summary>What one zstd:chunked or eStargz layer holds, written by one thread (export.memory-per-lazy-pull-layer, plus two blocks).</summary>
    public long MemoryPerLazyPullLayer => (ByteSize("paralleldiff.export.memory-per-lazy-pull-layer") ?? throw Missing("export.memory-per-lazy-pull-layer")) + (2L * BlockSize);

    /// <summary>The least time between two groups of finished snapshots a bulk export records (export.group-interval-ms).</summary>
    public TimeSpan GroupInterval => TimeSpan.FromMilliseconds(Int("paralleldiff.export.group-interval-ms"));

    /// <summary>How often progress views sample the running layers (progress.interval-ms, at least 10 ms).</summary>
    public TimeSpan ProgressInterval => TimeSpan.FromMilliseconds(Math.Max(10, Int("paralleldiff.progress.interval-ms")));

    /// <summary>The address --metrics PORT listens on (metrics.host).</summary>
    public string MetricsHost => Read("paralleldiff.metrics.host", () => Config.GetString("paralleldiff.metrics.host", null)) ?? throw Missing("metrics.host");

    /// <summary>Bytes per PATCH of a streamed upload (registry.chunk-size).</summary>
    public int RegistryChunkSize => checked((int)(ByteSize("paralleldiff.registry.chunk-size") ?? throw Missing("registry.chunk-size")));

    /// <summary>Chunks sent at once across a run (registry.max-concurrent-uploads).</summary>
    public int MaxConcurrentUploads => Int("paralleldiff.registry.max-concurrent-uploads");

    /// <summary>Retries of a request that may pass (registry.max-retries).</summary>
    public int RegistryRetries => Int("paralleldiff.registry.max-retries");

    /// <summary>The first retry's delay (registry.retry-delay-ms).</summary>
    public TimeSpan RegistryRetryDelay => TimeSpan.FromMilliseconds(Int("paralleldiff.registry.retry-delay-ms"));

    /// <summary>One attempt of one request, at most (registry.request-timeout-s).</summary>
    public TimeSpan RegistryRequestTimeout => TimeSpan.FromSeconds(Int("paralleldiff.registry.request-timeout-s"));

    /// <summary>How long a cluster export waits, with the membership unchanged, for a node that can take a job (cluster.unassigned-timeout-s).</summary>
    public TimeSpan ClusterUnassignedTimeout => TimeSpan.FromSeconds(Int("paralleldiff.cluster.unassigned-timeout-s"));

    /// <summary>Jobs a cluster node holds beyond those it runs, queued so it never waits for its next offer (cluster.prefetch).</summary>
    public int ClusterPrefetch => Math.Max(0, Int("paralleldiff.cluster.prefetch"));

    /// <summary>How long a cluster member waits to join (cluster.join-timeout-s).</summary>
    public TimeSpan ClusterJoinTimeout => TimeSpan.FromSeconds(Int("paralleldiff.cluster.join-timeout-s"));

    /// <summary>The size a --cache directory's blobs and frames are trimmed to unless --cache-size says (cache.size).</summary>
    public long CacheSize => ByteSize("paralleldiff.cache.size") ?? throw Missing("cache.size");

    /// <summary>Compressed frames one command keeps in memory for zstd:chunked and eStargz layers (cache.memory).</summary>
    public long CacheMemory => ByteSize("paralleldiff.cache.memory") ?? throw Missing("cache.memory");

    /// <summary>Compressed frames one command spills to a temporary file once cache.memory is full (cache.spill); 0 spills none.</summary>
    public long CacheSpill => ByteSize("paralleldiff.cache.spill") ?? throw Missing("cache.spill");

    /// <summary>The smallest frame (uncompressed) a --cache directory keeps (cache.disk-frame-min).</summary>
    public int CacheDiskFrameMin => checked((int)(ByteSize("paralleldiff.cache.disk-frame-min") ?? throw Missing("cache.disk-frame-min")));

    /// <summary>The configured default level; zstd:chunked takes zstd-level and eStargz gzip-level (their frames' codecs).</summary>
    public int DefaultLevel(LayerCompression kind) => kind.FrameCodec() switch
    {
        LayerCompression.Gzip => Int("paralleldiff.compression.gzip-level"),
        LayerCompression.Zstd => Int("paralleldiff.compression.zstd-level"),
        LayerCompression.Lz4 => Int("paralleldiff.compression.lz4-level"),
        _ => 0,
    };

    /// <summary>--config FILE over the defaults, then --parallelism N over both.</summary>
    public static Settings Load(CommandLine cl)
    {
        ArgumentNullException.ThrowIfNull(cl);
        var settings = Load(cl.Value("--config"));
        if (cl.Value("--log-level") is { } level)
        {
            // Akka's own log, on stderr (the engine's StandardErrorLogger); debug also prints a failure's stack trace.
            var akkaLevel = cl.Choice("--log-level", "off", LogLevels);
            FailureDetail.StackTraces = akkaLevel == "debug";
            settings = new Settings(ConfigurationFactory.ParseString($"akka.loglevel = {akkaLevel.ToUpperInvariant()}").WithFallback(settings.Config), settings.Source + $" with --log-level {level}");
        }

        if (cl.Number("--parallelism") is not { } n)
        {
            return settings;
        }

        if (n is < 1 or > 1024)
        {
            throw new UsageException($"--parallelism {n}: give a number of workers from 1 to 1024");
        }

        var config = ConfigurationFactory.ParseString($"paralleldiff.pipeline.parallelism = {n}").WithFallback(settings.Config);
        return new Settings(config, settings.Source + $" with --parallelism {n}");
    }

    public static Settings Load(string? overridePath)
    {
        var defaults = Path.Combine(AppContext.BaseDirectory, "hocon", FileName);
        if (!File.Exists(defaults))
        {
            throw new UsageException($"{defaults}: the default configuration is missing (reinstall or rebuild)");
        }

        var config = ConfigurationFactory.ParseString(HoconComments.WithoutCommentLines(File.ReadAllText(defaults)));
        var source = defaults;
        overridePath ??= Environment.GetEnvironmentVariable("PARALLELDIFF_CONFIG");
        if (!string.IsNullOrEmpty(overridePath))
        {
            if (!File.Exists(overridePath))
            {
                throw new UsageException($"--config {overridePath}: no such file");
            }

            var known = config.WithFallback(ActorsConfig.Reference).WithFallback(ParallelDiff.Streams.StreamsConfig.Reference);
            config = ConfigFile.Parse(overridePath, File.ReadAllText(overridePath), known).WithFallback(config);
            source = overridePath + " over " + defaults;
            var settings = new Settings(config, source);
            settings.ReadEveryValue();
            return settings;
        }

        return new Settings(config, source);
    }

    /// <summary>
    /// Reads every value once, so an override that does not parse fails here, before any output
    /// exists, rather than when the value is first needed (an export's budget: after the layout is made).
    /// </summary>
    private void ReadEveryValue()
    {
        _ = (BlockSize, Parallelism, MaxConcurrent, MemoryBudget, MemoryPerLayer, MemoryPerLazyPullLayer, GroupInterval, ProgressInterval);
        _ = (RegistryChunkSize, MaxConcurrentUploads, RegistryRetries, RegistryRetryDelay, RegistryRequestTimeout, MetricsHost);
        _ = (ClusterUnassignedTimeout, ClusterJoinTimeout, ClusterPrefetch, CacheSize, CacheMemory, CacheSpill, CacheDiskFrameMin);
        _ = (DefaultLevel(LayerCompression.Gzip), DefaultLevel(LayerCompression.Zstd), DefaultLevel(LayerCompression.Lz4));
    }

    /// <summary>Config.GetByteSize's value, without its cost (see <see cref="ParallelDiff.Actors.HoconByteSize"/>).</summary>
    private long? ByteSize(string path) => Read(path, () => HoconByteSize.Parse(Config.GetString(path, null)));

    private int Int(string path) => Read(path, () => Config.GetInt(path));

    /// <summary>A value that does not parse is named with its key and the files it came from, not only Akka's or .NET's words.</summary>
    private T Read<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is FormatException or OverflowException or ConfigurationException or InvalidCastException)
        {
            throw new UsageException($"{Source}: {path} = \"{Config.GetString(path, null)}\": {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    private static UsageException Missing(string key) => new($"configuration key paralleldiff.{key} is missing");
}
