namespace ParallelDiff.Core.Tar;

/// <summary>
/// The bytes are not a well-formed tar archive: a bad checksum, a malformed field or PAX record,
/// or an archive that ends early. <see cref="Offset"/> is where in the archive the problem is.
/// </summary>
public sealed class TarFormatException : IOException
{
    public TarFormatException(string problem, long offset)
        : base($"malformed tar archive at offset {offset}: {problem}")
    {
        Offset = offset;
    }

    public TarFormatException()
        : this("malformed tar archive")
    {
    }

    public TarFormatException(string message)
        : base(message)
    {
        Offset = -1;
    }

    public TarFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Offset = -1;
    }

    /// <summary>The byte offset in the archive of the block or record at fault; -1 when unknown.</summary>
    public long Offset { get; }
}
