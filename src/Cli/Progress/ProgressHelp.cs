namespace ParallelDiff.Cli.Progress;

/// <summary>The words --help uses for progress, the same in every command that shows it.</summary>
public static class ProgressHelp
{
    /// <summary>What a "progress" event holds.</summary>
    public const string JsonEvent = """
        A progress event is
                               {"event":"progress","id":…,"bytesIn":N,"bytesOut":N,"totalIn":N,
                               "totalKnown":true|false,"seconds":S} for each running layer whose counts
                               moved, every progress.interval-ms (250), and once more with its final
                               counts just before its done event: bytesIn is file data read, bytesOut
                               blob bytes written, totalIn the file data of the changes found so far
                               (the layer's whole file data once totalKnown); with --push,
                               "bytesPushed":N counts the blob bytes the registry has taken
        """;
}
