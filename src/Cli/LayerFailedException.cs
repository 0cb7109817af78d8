namespace ParallelDiff.Cli;

/// <summary>One layer of several failed; the message names the layer first, then the path and the cause.</summary>
public sealed class LayerFailedException : Exception
{
    public LayerFailedException()
    {
    }

    public LayerFailedException(string message) : base(message)
    {
    }

    public LayerFailedException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
