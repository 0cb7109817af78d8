namespace ParallelDiff.Core.Export;

/// <summary>A job file that cannot be used as written; the message names the file, the job and what is wrong.</summary>
public sealed class JobListException : Exception
{
    public JobListException()
    {
    }

    public JobListException(string message) : base(message)
    {
    }

    public JobListException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
