namespace ParallelDiff.Core.Tar;

/// <summary>
/// A tar entry that neither USTAR nor PAX can carry, e.g. a device number above 0o7777777 or a NUL
/// inside a name. Go's archive/tar refuses such a header, so containerd fails the diff; we do too.
/// </summary>
public sealed class TarEncodingException : Exception
{
    public TarEncodingException(string entryName, string field, string reason)
        : base($"cannot encode tar entry '{entryName}': {field}: {reason}")
    {
        EntryName = entryName;
        Field = field;
    }

    public TarEncodingException()
        : this("tar entry cannot be encoded")
    {
    }

    public TarEncodingException(string message)
        : base(message)
    {
        EntryName = "";
        Field = "";
    }

    public TarEncodingException(string message, Exception innerException)
        : base(message, innerException)
    {
        EntryName = "";
        Field = "";
    }

    /// <summary>The entry's name in printable form (non-UTF-8 bytes as \xNN).</summary>
    public string EntryName { get; }

    /// <summary>The header field or PAX key that could not be encoded.</summary>
    public string Field { get; }
}
