using Akka.Configuration;

namespace ParallelDiff.Streams;

/// <summary>
/// How a layer pipeline uses the machine: compression workers, the read-ahead budget, the read
/// chunk and the dispatchers. None of these change the layer's bytes.
/// </summary>
public sealed record PipelineSettings
{
    public const string ConfigPath = "paralleldiff.pipeline";

    public PipelineSettings(int parallelism, long readAheadBytes, int chunkSize, string ioDispatcher, string cpuDispatcher)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parallelism);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        // Two chunks at least: one read ahead, and one on its way downstream (see ReadsInFlight).
        ArgumentOutOfRangeException.ThrowIfLessThan(readAheadBytes, 2L * chunkSize);
        ArgumentException.ThrowIfNullOrEmpty(ioDispatcher);
        ArgumentException.ThrowIfNullOrEmpty(cpuDispatcher);
        Parallelism = parallelism;
        ReadAheadBytes = readAheadBytes;
        ChunkSize = chunkSize;
        IoDispatcher = ioDispatcher;
        CpuDispatcher = cpuDispatcher;
    }

    /// <summary>Blocks compressed at once; 0 means one per core (see <see cref="EffectiveParallelism"/>).</summary>
    public int Parallelism { get; init; }

    /// <summary>File data read ahead of the tar writer, in bytes, across all files; at least two chunks.</summary>
    public long ReadAheadBytes { get; init; }

    /// <summary>Bytes per positional read of file data.</summary>
    public int ChunkSize { get; init; }

    /// <summary>Config path of the dispatcher for blocking reads and the output file.</summary>
    public string IoDispatcher { get; init; }

    /// <summary>Config path of the dispatcher for block compression.</summary>
    public string CpuDispatcher { get; init; }

    public int EffectiveParallelism => Parallelism > 0 ? Parallelism : Environment.ProcessorCount;

    /// <summary>
    /// Chunk reads in flight: the whole chunks the read-ahead budget holds, less one, because a
    /// read's slot frees (and the next read starts) as its chunk is handed downstream, so one
    /// chunk is always in transit on top of the reads.
    /// </summary>
    public int ReadsInFlight => (int)Math.Clamp((ReadAheadBytes / ChunkSize) - 1, 1, int.MaxValue);

    /// <summary>The reference defaults (64 MiB read-ahead, 1 MiB chunks, one worker per core).</summary>
    public static PipelineSettings Default { get; } = FromConfig(StreamsConfig.Reference);

    /// <summary>
    /// Reads paralleldiff.pipeline.{parallelism, read-ahead-bytes, chunk-size, io-dispatcher,
    /// cpu-dispatcher}; keys the config lacks come from <see cref="StreamsConfig.Reference"/>, so
    /// the CLI's hocon/paralleldiff.conf (which has no dispatcher keys) is accepted as it is.
    /// </summary>
    public static PipelineSettings FromConfig(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var merged = (ReferenceEquals(config, StreamsConfig.Reference) ? config : config.WithFallback(StreamsConfig.Reference)).GetConfig(ConfigPath);
        var chunk = merged.GetByteSize("chunk-size", null) ?? throw Missing("chunk-size");
        var readAhead = merged.GetByteSize("read-ahead-bytes", null) ?? throw Missing("read-ahead-bytes");
        if (chunk > int.MaxValue)
        {
            throw new ConfigurationException($"{ConfigPath}.chunk-size = {chunk} bytes: at most {int.MaxValue}");
        }

        return new PipelineSettings(
            merged.GetInt("parallelism", 0),
            readAhead,
            (int)chunk,
            merged.GetString("io-dispatcher", null) ?? throw Missing("io-dispatcher"),
            merged.GetString("cpu-dispatcher", null) ?? throw Missing("cpu-dispatcher"));
    }

    private static ConfigurationException Missing(string key) => new($"{ConfigPath}.{key} is not set");
}
