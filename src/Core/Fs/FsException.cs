namespace ParallelDiff.Core.Fs;

/// <summary>A failed system call, carrying the path (as bytes and printable) and the errno.</summary>
public sealed class FsException : IOException
{
    public FsException(string operation, string path, int errno)
        : base($"{path}: {operation}: {Errno.Describe(errno)}")
    {
        Operation = operation;
        PathText = path;
        ErrorNumber = errno;
    }

    public FsException(string message) : base(message)
    {
        Operation = "";
        PathText = "";
    }

    public FsException() : this("file system error")
    {
    }

    public FsException(string message, Exception innerException) : base(message, innerException)
    {
        Operation = "";
        PathText = "";
    }

    public string Operation { get; }

    public string PathText { get; }

    public int ErrorNumber { get; }
}
