namespace ParallelDiff.Core.Tar;

/// <summary>
/// One logical tar entry as a layer carries it: the values, before any choice of USTAR or PAX.
/// Names are raw bytes relative to the layer root, directories with a trailing '/'.
/// </summary>
public sealed class TarHeader
{
    public required byte[] Name { get; init; }

    public required TarEntryType Type { get; init; }

    /// <summary>Permission bits plus setuid/setgid/sticky (07777); never the file-type bits.</summary>
    public int Mode { get; init; }

    public long Uid { get; init; }

    public long Gid { get; init; }

    /// <summary>Data size; only regular files carry data.</summary>
    public long Size { get; init; }

    /// <summary>mtime in whole seconds since the epoch (already truncated, may be negative).</summary>
    public long MtimeSeconds { get; init; }

    /// <summary>
    /// The nanoseconds after <see cref="MtimeSeconds"/> that a PAX mtime carried (0..999,999,999),
    /// kept by the reader for an applier; the layer writer never writes them (BuildKit's layers
    /// have whole-second times), so they play no part in a layer's bytes.
    /// </summary>
    public int MtimeNanoseconds { get; init; }

    /// <summary>Symlink target, or the earlier name a hard link points to.</summary>
    public byte[] LinkName { get; init; } = [];

    public long DevMajor { get; init; }

    public long DevMinor { get; init; }

    /// <summary>Extended attributes, written as PAX records SCHILY.xattr.NAME with raw values.</summary>
    public IReadOnlyList<KeyValuePair<string, byte[]>> Xattrs { get; init; } = [];
}
