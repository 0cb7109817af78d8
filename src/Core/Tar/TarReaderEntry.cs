namespace ParallelDiff.Core.Tar;

/// <summary>
/// One entry as <see cref="TarReader.Next"/> returns it. <see cref="Data"/> is valid only until the
/// next call to Next, which skips whatever of it was not read.
/// </summary>
public sealed class TarReaderEntry
{
    internal TarReaderEntry(TarHeader header, Stream data, long offset, TarEntryFormat format, IReadOnlyList<KeyValuePair<string, byte[]>> paxRecords)
    {
        Header = header;
        Data = data;
        Offset = offset;
        Format = format;
        PaxRecords = paxRecords;
    }

    /// <summary>The header with PAX records, GNU long names and the ustar prefix already applied.</summary>
    public TarHeader Header { get; }

    /// <summary>The entry's content: exactly <see cref="TarHeader.Size"/> bytes, not seekable.</summary>
    public Stream Data { get; }

    /// <summary>Offset of the entry's first block (its PAX or GNU long-name header when it has one).</summary>
    public long Offset { get; }

    public TarEntryFormat Format { get; }

    /// <summary>The PAX records that applied to this entry, in archive order (empty unless Pax).</summary>
    public IReadOnlyList<KeyValuePair<string, byte[]>> PaxRecords { get; }
}
