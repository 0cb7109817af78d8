using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using ParallelDiff.Core.Fs;

namespace ParallelDiff.Core.Export;

/// <summary>
/// The stat data of one entry as the cache's prints hash it (<see cref="TreeStatPrint"/> for whole
/// trees, <see cref="PathStatPrint"/> for single consulted paths): type, mode, rdev, mtime and ctime
/// to the nanosecond, owner, size, inode, device, link count, and the sorted xattr names. Fixed-width
/// little-endian fields and length-prefixed names, so no two statuses encode alike.
/// </summary>
internal static class EntryStatFields
{
    /// <summary>The bytes <see cref="Write"/> fills: five 32-bit and nine 64-bit fields.</summary>
    public const int Size = (5 * 4) + (9 * 8);

    /// <summary>Writes the status's fields into <paramref name="record"/> (at least <see cref="Size"/> bytes).</summary>
    public static void Write(Span<byte> record, in FileStatus s)
    {
        var at = 0;
        at = Put32(record, at, (int)s.Kind);
        at = Put32(record, at, s.Mode);
        at = Put32(record, at, (int)s.RdevMajor);
        at = Put32(record, at, (int)s.RdevMinor);
        at = Put32(record, at, s.MtimeNanoseconds);
        at = Put64(record, at, s.Uid);
        at = Put64(record, at, s.Gid);
        at = Put64(record, at, s.Size);
        at = Put64(record, at, (long)s.Inode);
        at = Put64(record, at, (long)s.Device);
        at = Put64(record, at, (long)s.LinkCount);
        at = Put64(record, at, s.MtimeSeconds);
        at = Put64(record, at, s.CtimeSeconds);
        Put64(record, at, s.CtimeNanoseconds);
    }

    /// <summary>
    /// The xattr names, sorted (the kernel lists them in an order of its own, which a copy of the
    /// tree need not keep), as a count and length-prefixed UTF-8. Their values are covered by ctime,
    /// which every setxattr and removexattr moves.
    /// </summary>
    public static void WriteXattrNames(IBufferWriter<byte> output, IReadOnlyList<string> names)
    {
        WriteLength(output, names.Count);
        // Most entries have none, most others one: sorted without a copy then (a print walks every
        // entry of a tree, and a copy and an array per name were a third of a warm export's garbage).
        if (names.Count == 1)
        {
            WriteName(output, names[0]);
        }
        else if (names.Count == 2)
        {
            // Two (an overlay directory's impure and origin or uuid): one comparison puts them in order.
            var inOrder = string.CompareOrdinal(names[0], names[1]) <= 0;
            WriteName(output, names[inOrder ? 0 : 1]);
            WriteName(output, names[inOrder ? 1 : 0]);
        }
        else if (names.Count > 2)
        {
            foreach (var name in names.Order(StringComparer.Ordinal))
            {
                WriteName(output, name);
            }
        }
    }

    private static void WriteName(IBufferWriter<byte> output, string name)
    {
        var length = Encoding.UTF8.GetByteCount(name);
        WriteLength(output, length);
        output.Advance(Encoding.UTF8.GetBytes(name, output.GetSpan(length)));
    }

    /// <summary>A 32-bit little-endian length or count.</summary>
    public static void WriteLength(IBufferWriter<byte> output, int length)
    {
        BinaryPrimitives.WriteInt32LittleEndian(output.GetSpan(4), length);
        output.Advance(4);
    }

    private static int Put32(Span<byte> record, int at, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(record[at..], value);
        return at + 4;
    }

    private static int Put64(Span<byte> record, int at, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(record[at..], value);
        return at + 8;
    }
}
