using ParallelDiff.Core.Fs;

namespace ParallelDiff.Core.Apply;

/// <summary>A layer entry could not be applied; the message names the entry and why.</summary>
public sealed class LayerApplyException : IOException
{
    public LayerApplyException(ReadOnlySpan<byte> entryName, string problem, int errno = 0, Exception? innerException = null)
        : base($"layer entry {PathBytes.Display(entryName)}: {problem}", innerException)
    {
        EntryName = PathBytes.Display(entryName);
        ErrorNumber = errno;
    }

    public LayerApplyException()
        : this("the layer could not be applied")
    {
    }

    public LayerApplyException(string message)
        : base(message)
    {
        EntryName = "";
    }

    public LayerApplyException(string message, Exception innerException)
        : base(message, innerException)
    {
        EntryName = "";
    }

    /// <summary>The entry's name as the archive has it, printable (non-UTF-8 bytes as \xNN).</summary>
    public string EntryName { get; }

    /// <summary>The errno of the failed system call, or 0 when the archive itself was at fault.</summary>
    public int ErrorNumber { get; }
}
