using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using ParallelDiff.Core.Fs;

namespace ParallelDiff.Core.Export;

/// <summary>
/// The entries a <see cref="TreeStatPrint"/> walk saw, in print order, with each directory's
/// identity (device, inode, ctime and mtime to the nanosecond): enough to print the same tree again
/// by looking each path up (<see cref="TreeStatPrint.OfKnown"/>) instead of listing every directory.
/// A directory whose identity is unchanged holds the names it held (creating, removing or renaming
/// an entry moves its parent's mtime and ctime, and ctime cannot be set back), so while every
/// directory still matches, the paths are the tree's paths; the print itself is always made from
/// fresh stat data. Kept only for small trees: for a big one, listing costs little per entry.
/// </summary>
public sealed class PrintedTree
{
    /// <summary>The most entries (the root included) a printed tree keeps.</summary>
    public const int MostEntries = 256;

    private static ReadOnlySpan<byte> Magic => "paralleldiff printed tree 1\n"u8;

    // Per entry: path length (4), the directory flag (1), then for a directory device, inode,
    // ctime and mtime (8 + 8 + 8 + 4 + 8 + 4).
    private const int DirectoryFields = 40;

    private PrintedTree(IReadOnlyList<PrintedEntry> entries) => Entries = entries;

    /// <summary>The root first (an empty path), then every entry in print order.</summary>
    public IReadOnlyList<PrintedEntry> Entries { get; }

    /// <summary>A tree from a walk's entries (root first); null when there are too many to keep.</summary>
    public static PrintedTree? Of(IReadOnlyList<PrintedEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return entries.Count is > 0 and <= MostEntries && entries[0].Path.Length == 0 && entries[0].IsDirectory ? new PrintedTree(entries) : null;
    }

    /// <summary>Whether every directory's ctime is before <paramref name="time"/>, to the nanosecond (see <see cref="SnapshotCacheKeys"/> for why that matters).</summary>
    public bool DirectoriesChangedBefore(DateTimeOffset time)
    {
        var seconds = time.ToUnixTimeSeconds();
        var nanoseconds = (int)((time.UtcTicks - DateTimeOffset.FromUnixTimeSeconds(seconds).UtcTicks) * 100);
        return Entries.All(e => !e.IsDirectory || e.CtimeSeconds < seconds || (e.CtimeSeconds == seconds && e.CtimeNanoseconds < nanoseconds));
    }

    /// <summary>The tree as stored: the entries, then a SHA-256 of everything before it, so a torn or damaged file is not taken.</summary>
    public byte[] ToBytes()
    {
        using var output = new PooledBufferWriter(Magic.Length + (Entries.Count * 64) + SHA256.HashSizeInBytes);
        output.Write(Magic);
        Put32(output, Entries.Count);
        foreach (var entry in Entries)
        {
            Put32(output, entry.Path.Length);
            output.Write(entry.Path);
            output.Write([entry.IsDirectory ? (byte)1 : (byte)0]);
            if (entry.IsDirectory)
            {
                var fields = output.GetSpan(DirectoryFields);
                BinaryPrimitives.WriteUInt64LittleEndian(fields, entry.Device);
                BinaryPrimitives.WriteUInt64LittleEndian(fields[8..], entry.Inode);
                BinaryPrimitives.WriteInt64LittleEndian(fields[16..], entry.CtimeSeconds);
                BinaryPrimitives.WriteInt32LittleEndian(fields[24..], entry.CtimeNanoseconds);
                BinaryPrimitives.WriteInt64LittleEndian(fields[28..], entry.MtimeSeconds);
                BinaryPrimitives.WriteInt32LittleEndian(fields[36..], entry.MtimeNanoseconds);
                output.Advance(DirectoryFields);
            }
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(output.WrittenSpan, digest);
        output.Write(digest);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// A stored tree; null when the bytes are not one (another version, torn, damaged, or a path
    /// that is absolute or climbs out with "..": a lookup must stay below the root).
    /// </summary>
    public static PrintedTree? Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < Magic.Length + 4 + SHA256.HashSizeInBytes || !bytes.StartsWith(Magic))
        {
            return null;
        }

        var body = bytes[..^SHA256.HashSizeInBytes];
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(body, digest);
        if (!digest.SequenceEqual(bytes[^SHA256.HashSizeInBytes..]))
        {
            return null;
        }

        var rest = body[Magic.Length..];
        var count = BinaryPrimitives.ReadInt32LittleEndian(rest);
        rest = rest[4..];
        if (count is < 1 or > MostEntries)
        {
            return null;
        }

        var entries = new List<PrintedEntry>(count);
        for (var i = 0; i < count; i++)
        {
            if (rest.Length < 5)
            {
                return null;
            }

            var length = BinaryPrimitives.ReadInt32LittleEndian(rest);
            if (length < 0 || length > rest.Length - 5)
            {
                return null;
            }

            var path = rest.Slice(4, length).ToArray();
            var isDirectory = rest[4 + length] == 1;
            rest = rest[(5 + length)..];
            if ((i == 0) != (path.Length == 0) || !StaysBelow(path))
            {
                return null;
            }

            if (!isDirectory)
            {
                entries.Add(new PrintedEntry(path, false, 0, 0, 0, 0, 0, 0));
                continue;
            }

            if (rest.Length < DirectoryFields)
            {
                return null;
            }

            entries.Add(new PrintedEntry(
                path,
                true,
                BinaryPrimitives.ReadUInt64LittleEndian(rest),
                BinaryPrimitives.ReadUInt64LittleEndian(rest[8..]),
                BinaryPrimitives.ReadInt64LittleEndian(rest[16..]),
                BinaryPrimitives.ReadInt32LittleEndian(rest[24..]),
                BinaryPrimitives.ReadInt64LittleEndian(rest[28..]),
                BinaryPrimitives.ReadInt32LittleEndian(rest[36..])));
            rest = rest[DirectoryFields..];
        }

        return rest.IsEmpty ? Of(entries) : null;
    }

    /// <summary>A relative path of names: not absolute, no empty, "." or ".." component, no NUL.</summary>
    private static bool StaysBelow(ReadOnlySpan<byte> path)
    {
        if (path.IsEmpty)
        {
            return true;
        }

        if (path.Contains((byte)0))
        {
            return false;
        }

        foreach (var range in path.Split((byte)'/'))
        {
            var name = path[range];
            if (name.IsEmpty || name.SequenceEqual("."u8) || name.SequenceEqual(".."u8))
            {
                return false;
            }
        }

        return true;
    }

    private static void Put32(PooledBufferWriter output, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(output.GetSpan(4), value);
        output.Advance(4);
    }
}

/// <summary>One entry of a <see cref="PrintedTree"/>: its path below the root, and a directory's identity.</summary>
public readonly record struct PrintedEntry(byte[] Path, bool IsDirectory, ulong Device, ulong Inode, long CtimeSeconds, int CtimeNanoseconds, long MtimeSeconds, int MtimeNanoseconds)
{
    /// <summary>An entry as a walk saw it.</summary>
    public static PrintedEntry Of(byte[] path, in FileStatus status) => status.IsDirectory
        ? new(path, true, status.Device, status.Inode, status.CtimeSeconds, status.CtimeNanoseconds, status.MtimeSeconds, status.MtimeNanoseconds)
        : new(path, false, 0, 0, 0, 0, 0, 0);

    /// <summary>Whether <paramref name="status"/> is what this entry was: the same kind, and for a directory the same identity, so its names are the ones it held.</summary>
    public bool StillIs(in FileStatus status) => status.IsDirectory == IsDirectory
        && (!IsDirectory || (status.Device == Device && status.Inode == Inode
            && status.CtimeSeconds == CtimeSeconds && status.CtimeNanoseconds == CtimeNanoseconds
            && status.MtimeSeconds == MtimeSeconds && status.MtimeNanoseconds == MtimeNanoseconds));
}
