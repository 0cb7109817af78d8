using Akka.Configuration;

namespace ParallelDiff.Streams;

/// <summary>
/// How a layer pipeline uses the machine: compression workers, the read-ahead budget and the
/// dispatchers. None of these change the layer's bytes.
/// </summary>
public sealed record PipelineSettings
{
    public const string ConfigPath = "paralleldiff.pipeline";

    public PipelineSettings(int parallelism, long readAheadBytes, string ioDispatcher, string cpuDispatcher)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parallelism);
        ArgumentOutOfRangeException.ThrowIfLessThan(readAheadBytes, 1);
        ArgumentException.ThrowIfNullOrEmpty(ioDispatcher);
        ArgumentException.ThrowIfNullOrEmpty(cpuDispatcher);
        Parallelism = parallelism;
        ReadAheadBytes = readAheadBytes;
        IoDispatcher = ioDispatcher;
        CpuDispatcher = cpuDispatcher;
    }

    /// <summary>Blocks compressed at once; 0 means one per core (see <see cref="EffectiveParallelism"/>).</summary>
    public int Parallelism { get; init; }

    /// <summary>Tar blocks being filled with file data ahead of the writer, in bytes; at least two blocks are, whatever it says.</summary>
    public long ReadAheadBytes { get; init; }

    /// <summary>Config path of the dispatcher for blocking reads and the output file.</summary>
    public string IoDispatcher { get; init; }

    /// <summary>Config path of the dispatcher for block compression.</summary>
    public string CpuDispatcher { get; init; }

    public int EffectiveParallelism => Parallelism > 0 ? Parallelism : Environment.ProcessorCount;

    /// <summary>
    /// Tar blocks of <paramref name="blockSize"/> bytes filled at once: the whole blocks the
    /// read-ahead budget holds, and never fewer than two, so one block fills while the one
    /// before it is handed on.
    /// </summary>
    public int BlocksInFlight(int blockSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        return (int)Math.Clamp(ReadAheadBytes / blockSize, 2, int.MaxValue);
    }

    /// <summary>The reference defaults (16 MiB read-ahead, one worker per core).</summary>
    public static PipelineSettings Default { get; } = FromConfig(StreamsConfig.Reference);

    /// <summary>
    /// Reads paralleldiff.pipeline.{parallelism, read-ahead-bytes, io-dispatcher, cpu-dispatcher};
    /// keys the config lacks come from <see cref="StreamsConfig.Reference"/>, so the CLI's
    /// hocon/paralleldiff.conf (which has no dispatcher keys) is accepted as it is.
    /// </summary>
    public static PipelineSettings FromConfig(Config config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var merged = (ReferenceEquals(config, StreamsConfig.Reference) ? config : config.WithFallback(StreamsConfig.Reference)).GetConfig(ConfigPath);
        return new PipelineSettings(
            merged.GetInt("parallelism", 0),
            merged.GetByteSize("read-ahead-bytes", null) ?? throw Missing("read-ahead-bytes"),
            merged.GetString("io-dispatcher", null) ?? throw Missing("io-dispatcher"),
            merged.GetString("cpu-dispatcher", null) ?? throw Missing("cpu-dispatcher"));
    }

    private static ConfigurationException Missing(string key) => new($"{ConfigPath}.{key} is not set");
}
