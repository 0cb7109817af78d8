using ParallelDiff.Core.Layers;

namespace ParallelDiff.Cli.Layers;

/// <summary>
/// `-o -`: the blob written to standard output, for a pipe (`paralleldiff diff … -o - | …`). The
/// descriptor then goes to stderr. What a pipe has taken cannot be taken back: a layer that fails
/// half-way has sent part of its bytes, and the exit status (1) is what says it is not whole.
/// </summary>
public sealed class StandardOutputBlob : IBlobTarget
{
    private readonly BufferedStream _stream = new(Console.OpenStandardOutput(), 1 << 20);

    public string Name => "standard output";

    public Stream Stream => _stream;

    /// <summary>Refuses a terminal: a blob is binary, and no one means to print one.</summary>
    /// <exception cref="UsageException">Standard output is a terminal.</exception>
    public static void CheckNotTerminal()
    {
        if (!Console.IsOutputRedirected)
        {
            throw new UsageException("-o -: standard output is a terminal; pipe or redirect it (the blob is binary)");
        }
    }

    public void Commit() => _stream.Flush();

    public void Dispose()
    {
        // Standard output belongs to the process, not to the blob: it is left open.
    }
}
