using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Tests.Support;

namespace ParallelDiff.Core.Tests.Vectors;

/// <summary>
/// One entry of a layer in snapshot.json: a directory entry exactly as it is on disk. A
/// <see cref="TreeEntryType.Hardlink"/> entry has only Path and Target (the earlier name of its
/// inode, relative to the layer root); the other fields belong to that first name.
/// </summary>
public sealed record VectorEntry
{
    public required byte[] Path { get; init; }

    public required TreeEntryType Type { get; init; }

    public int Mode { get; init; }

    public long Uid { get; init; }

    public long Gid { get; init; }

    /// <summary>
    /// mtime in nanoseconds since the epoch; negative before 1970. Int128 because a long ends in
    /// 2262 and vector 50 has files in 2300 (10413792000500000000 ns).
    /// </summary>
    public Int128 MtimeNs { get; init; }

    public long? Size { get; init; }

    public string? Sha256 { get; init; }

    /// <summary>The bytes of a regular file.</summary>
    public VectorContent? Content { get; init; }

    /// <summary>A symlink's target, or a hardlink entry's first name.</summary>
    public byte[]? Target { get; init; }

    public DeviceNumber? Rdev { get; init; }

    /// <summary>Every xattr of the entry, name to raw value, sorted by name.</summary>
    public IReadOnlyDictionary<string, byte[]> Xattrs { get; init; } = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);

    public bool IsRoot => Path.AsSpan().SequenceEqual("."u8);

    public string DisplayPath => PathBytes.Display(Path);
}
