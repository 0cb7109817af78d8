namespace ParallelDiff.Cli;

/// <summary>The command line is wrong (exit code 2); the message says how.</summary>
public sealed class UsageException : Exception
{
    public UsageException()
    {
    }

    public UsageException(string message) : base(message)
    {
    }

    public UsageException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
