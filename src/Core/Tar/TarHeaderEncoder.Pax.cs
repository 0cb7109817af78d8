using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using static ParallelDiff.Core.Tar.TarFieldLayout;

namespace ParallelDiff.Core.Tar;

/// <summary>PAX entries: the 'x' block, its records, then the main header (pax, IEEE 1003.1-2001).</summary>
public static partial class TarHeaderEncoder
{
    /// <summary>Go maxSpecialFileSize: the writer refuses a PAX record set above 1 MiB.</summary>
    private const int MaxPaxRecordsLength = 1 << 20;

    private static ReadOnlySpan<byte> XattrKeyPrefix => "SCHILY.xattr."u8;

    /// <summary>Longest decimal of a long, sign included.</summary>
    private const int MaxDecimalLength = 20;

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    /// <summary>
    /// Go writePAXHeader: the 'x' block named PaxHeaders.0 beside the entry, the records padded
    /// to a block, then the main header with no prefix split.
    /// </summary>
    private static int WritePaxEntry(TarHeader h, in EncodingPlan plan, IBufferWriter<byte> output)
    {
        var recordsLength = WritePaxRecords(Span<byte>.Empty, h, plan, measureOnly: true);
        if (recordsLength > MaxPaxRecordsLength)
        {
            throw Fail(h, "pax records", $"{recordsLength} bytes exceed the 1 MiB Go allows");
        }

        var paddedLength = recordsLength + TarArchive.PaddingFor(recordsLength);
        var total = TarArchive.BlockSize + paddedLength + TarArchive.BlockSize;
        var span = output.GetSpan(total)[..total];

        WritePaxExtendedHeader(span[..TarArchive.BlockSize], h.Name, recordsLength);
        var records = span.Slice(TarArchive.BlockSize, paddedLength);
        var written = WritePaxRecords(records, h, plan, measureOnly: false);
        Debug.Assert(written == recordsLength, "measured and written PAX records differ");
        records[written..].Clear();
        WriteMainHeader(span[^TarArchive.BlockSize..], h, pax: true, ustarSplit: -1);

        output.Advance(total);
        return total;
    }

    /// <summary>
    /// Go writeRawFile for the 'x' block: name, size and typeflag 'x'; mode, uid, gid and mtime
    /// as zeros; uname, gname, linkname, devmajor and devminor left all NUL.
    /// </summary>
    private static void WritePaxExtendedHeader(Span<byte> block, ReadOnlySpan<byte> entryName, int recordsLength)
    {
        block.Clear();
        WritePaxHeaderName(block.Slice(NameOffset, NameLength), entryName);
        FormatOctal(block.Slice(ModeOffset, ModeLength), 0);
        FormatOctal(block.Slice(UidOffset, UidLength), 0);
        FormatOctal(block.Slice(GidOffset, GidLength), 0);
        FormatOctal(block.Slice(SizeOffset, SizeLength), recordsLength);
        FormatOctal(block.Slice(MtimeOffset, MtimeLength), 0);
        block[TypeFlagOffset] = (byte)TarEntryType.PaxExtended;
        UstarMagic.CopyTo(block[MagicOffset..]);
        UstarVersion.CopyTo(block[VersionOffset..]);
        WriteChecksum(block);
    }

    /// <summary>
    /// Writes (or, with <paramref name="measureOnly"/>, only measures) the records in byte-wise
    /// key order, as Go sorts its map keys: every "SCHILY.xattr.*" ('S' is 0x53) comes before
    /// gid, linkpath, mtime, path, size, uid. Returns the length.
    /// </summary>
    private static int WritePaxRecords(Span<byte> dest, TarHeader h, in EncodingPlan plan, bool measureOnly)
    {
        var length = 0;
        if (plan.Xattrs is { } xattrs)
        {
            foreach (var x in xattrs)
            {
                length += Record(dest, length, x.Key, x.Value, measureOnly);
            }
        }

        Span<byte> number = stackalloc byte[MaxDecimalLength];
        if ((plan.Keys & PaxKeys.Gid) != 0)
        {
            length += Record(dest, length, "gid"u8, FormatDecimal(number, h.Gid), measureOnly);
        }

        if ((plan.Keys & PaxKeys.LinkPath) != 0)
        {
            length += Record(dest, length, "linkpath"u8, h.LinkName, measureOnly);
        }

        // formatPAXTime: the mtime is already whole seconds, so no fraction; it may be negative.
        if ((plan.Keys & PaxKeys.Mtime) != 0)
        {
            length += Record(dest, length, "mtime"u8, FormatDecimal(number, h.MtimeSeconds), measureOnly);
        }

        if ((plan.Keys & PaxKeys.Path) != 0)
        {
            length += Record(dest, length, "path"u8, h.Name, measureOnly);
        }

        if ((plan.Keys & PaxKeys.Size) != 0)
        {
            length += Record(dest, length, "size"u8, FormatDecimal(number, h.Size), measureOnly);
        }

        if ((plan.Keys & PaxKeys.Uid) != 0)
        {
            length += Record(dest, length, "uid"u8, FormatDecimal(number, h.Uid), measureOnly);
        }

        return length;

        static int Record(Span<byte> dest, int at, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool measureOnly) =>
            measureOnly ? PaxRecordLength(key.Length, value.Length) : FormatPaxRecord(dest[at..], key, value);
    }

    /// <summary>
    /// pax "%d %s=%s\n": the leading length counts the whole record, its own digits included, so
    /// adding the digits may add one more digit (Go formatPAXRecord).
    /// </summary>
    private static int PaxRecordLength(int keyLength, int valueLength)
    {
        var body = keyLength + valueLength + 3; // ' ', '=' and '\n'
        var total = body + DecimalDigits(body);
        return body + DecimalDigits(total);
    }

    /// <summary>Writes one "len key=value\n" record and returns its length.</summary>
    private static int FormatPaxRecord(Span<byte> dest, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        var length = PaxRecordLength(key.Length, value.Length);
        var at = FormatDecimal(dest, length).Length;
        dest[at++] = (byte)' ';
        key.CopyTo(dest[at..]);
        at += key.Length;
        dest[at++] = (byte)'=';
        value.CopyTo(dest[at..]);
        at += value.Length;
        dest[at++] = (byte)'\n';
        Debug.Assert(at == length, "PAX record length prefix is wrong");
        return length;
    }

    /// <summary>Base-10 ASCII of <paramref name="value"/> at the start of <paramref name="dest"/>.</summary>
    private static Span<byte> FormatDecimal(Span<byte> dest, long value)
    {
        if (!value.TryFormat(dest, out var written, default, CultureInfo.InvariantCulture))
        {
            throw new UnreachableException("a long always fits 20 bytes");
        }

        return dest[..written];
    }

    private static int DecimalDigits(int value)
    {
        var digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }

        return digits;
    }

    /// <summary>
    /// containerd puts each xattr in PAXRecords["SCHILY.xattr."+name] with the raw value; Go's
    /// validPAXRecord refuses a key holding '=' or NUL. Sorted by key bytes (Go sorts strings
    /// byte-wise, which is not .NET's UTF-16 ordinal order for every character).
    /// </summary>
    private static XattrRecord[] SortedXattrs(TarHeader h)
    {
        var records = new XattrRecord[h.Xattrs.Count];
        for (var i = 0; i < records.Length; i++)
        {
            var (name, value) = h.Xattrs[i];
            if (name.Contains('=', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
            {
                throw Fail(h, "xattr " + name, "a PAX key may not contain '=' or NUL");
            }

            byte[] key;
            try
            {
                key = new byte[XattrKeyPrefix.Length + StrictUtf8.GetByteCount(name)];
            }
            catch (EncoderFallbackException)
            {
                throw Fail(h, "xattr name", "not valid Unicode (a lone surrogate)");
            }

            XattrKeyPrefix.CopyTo(key);
            StrictUtf8.GetBytes(name, key.AsSpan(XattrKeyPrefix.Length));
            records[i] = new XattrRecord(key, value);
        }

        if (records.Length > 1)
        {
            Array.Sort(records, static (a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));
        }

        for (var i = 1; i < records.Length; i++)
        {
            if (records[i].Key.AsSpan().SequenceEqual(records[i - 1].Key))
            {
                throw Fail(h, Encoding.UTF8.GetString(records[i].Key), "the xattr appears twice");
            }
        }

        return records;
    }
}
