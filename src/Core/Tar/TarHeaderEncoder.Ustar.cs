using System.Runtime.Intrinsics;
using static ParallelDiff.Core.Tar.TarFieldLayout;

namespace ParallelDiff.Core.Tar;

/// <summary>The 512-byte main header block, shared by USTAR entries and PAX main headers.</summary>
public static partial class TarHeaderEncoder
{
    /// <summary>
    /// Fills <paramref name="block"/> as Go's templateV7Plus + setFormat do (spec §3.3). For PAX the
    /// name and linkname are the best-effort toASCII forms and the prefix stays empty; numbers
    /// that overflow are written as zeros because their PAX record carries the value.
    /// </summary>
    private static void WriteMainHeader(Span<byte> block, TarHeader h, bool pax, int ustarSplit)
    {
        block.Clear();

        var name = h.Name.AsSpan();
        if (ustarSplit >= 0)
        {
            // Go writeUSTARHeader: the part after the split '/' goes to name, the part before to prefix.
            name[(ustarSplit + 1)..].CopyTo(block.Slice(NameOffset, NameLength));
            name[..ustarSplit].CopyTo(block.Slice(PrefixOffset, PrefixLength));
        }
        else
        {
            FormatString(block.Slice(NameOffset, NameLength), name, pax);
        }

        FormatString(block.Slice(LinkNameOffset, LinkNameLength), h.LinkName, pax);
        FormatOctal(block.Slice(ModeOffset, ModeLength), h.Mode);
        FormatOctal(block.Slice(UidOffset, UidLength), h.Uid);
        FormatOctal(block.Slice(GidOffset, GidLength), h.Gid);
        FormatOctal(block.Slice(SizeOffset, SizeLength), h.Size);
        FormatOctal(block.Slice(MtimeOffset, MtimeLength), h.MtimeSeconds);
        block[TypeFlagOffset] = (byte)h.Type;
        UstarMagic.CopyTo(block[MagicOffset..]);
        UstarVersion.CopyTo(block[VersionOffset..]);

        // uname and gname stay empty (no lookups); devmajor/devminor are always written, even
        // as 0000000 for non-devices, because templateV7Plus formats them unconditionally.
        FormatOctal(block.Slice(DevMajorOffset, DevMajorLength), h.DevMajor);
        FormatOctal(block.Slice(DevMinorOffset, DevMinorLength), h.DevMinor);
        WriteChecksum(block);
    }

    /// <summary>
    /// Go formatString over a cleared field: the text, then a NUL only if there is room. In a PAX
    /// main header the text is toASCII(value) (bytes ≥ 0x80 dropped) and may overflow: it is cut
    /// to the field, and a '/' left in the last byte is turned into the NUL terminator after the
    /// run of slashes before it, so old readers do not see a regular file as a directory.
    /// </summary>
    private static void FormatString(Span<byte> field, ReadOnlySpan<byte> value, bool pax)
    {
        // The plan guarantees USTAR text is ASCII and fits; the cleared field supplies the NUL.
        if (!pax || (value.Length <= field.Length && System.Text.Ascii.IsValid(value)))
        {
            value.CopyTo(field);
            return;
        }

        if (CopyToAscii(field, value) > field.Length && field[^1] == (byte)'/')
        {
            // Go keeps the bytes after that NUL as they were; only one byte changes.
            var kept = field[..^1].TrimEnd((byte)'/').Length;
            field[kept] = 0;
        }
    }

    /// <summary>
    /// Go toASCII, cut to the field: copies the bytes below 0x80 until the field is full. Returns
    /// the number copied, or the field length + 1 when ASCII bytes were left over (the text was cut).
    /// </summary>
    private static int CopyToAscii(Span<byte> field, ReadOnlySpan<byte> value)
    {
        var count = 0;
        foreach (var b in value)
        {
            if (b < 0x80)
            {
                if (count == field.Length)
                {
                    return count + 1;
                }

                field[count++] = b;
            }
        }

        return count;
    }

    /// <summary>
    /// Go formatOctal: zero-padded octal of width field-1, then a NUL. A value that does not fit
    /// is written as 0 (its real value travels in a PAX record).
    /// </summary>
    private static void FormatOctal(Span<byte> field, long value)
    {
        var digits = field.Length - 1;
        if (!FitsOctal(value, field.Length))
        {
            value = 0;
        }

        for (var i = digits - 1; i >= 0; i--)
        {
            field[i] = (byte)('0' + (int)(value & 7));
            value >>= 3;
        }

        field[digits] = 0;
    }

    /// <summary>
    /// tar(5) chksum: the unsigned sum of all 512 bytes with the checksum field read as eight
    /// spaces. Go writes it as six octal digits, a NUL, then a space (block.setFormat).
    /// </summary>
    private static void WriteChecksum(Span<byte> block)
    {
        var field = block.Slice(ChecksumOffset, ChecksumLength);
        field.Fill((byte)' ');
        FormatOctal(field[..^1], SumOfBytes(block));
        field[^1] = (byte)' ';
    }

    /// <summary>Byte sum of one 512-byte block, widened in 16-byte lanes.</summary>
    private static long SumOfBytes(ReadOnlySpan<byte> block)
    {
        // 32 vectors × 2 halves × 255 per lane stays well under ushort.MaxValue.
        var lanes = Vector128<ushort>.Zero;
        for (var i = 0; i < block.Length; i += Vector128<byte>.Count)
        {
            var (lower, upper) = Vector128.Widen(Vector128.Create(block.Slice(i, Vector128<byte>.Count)));
            lanes += lower + upper;
        }

        var (low, high) = Vector128.Widen(lanes);
        return Vector128.Sum(low + high);
    }

    /// <summary>
    /// Go splitUSTARPath for an ASCII name over 100 bytes: the index of the last '/' among the
    /// first 156 bytes (or before a trailing '/'), such that the prefix fits 155 bytes and the
    /// non-empty rest fits 100; -1 when no such '/' exists.
    /// </summary>
    private static int SplitUstarPath(ReadOnlySpan<byte> name)
    {
        var limit = name.Length;
        if (limit > PrefixLength + 1)
        {
            limit = PrefixLength + 1;
        }
        else if (name[^1] == (byte)'/')
        {
            limit--;
        }

        var i = name[..limit].LastIndexOf((byte)'/');
        var suffixLength = name.Length - i - 1;
        if (i <= 0 || suffixLength > NameLength || suffixLength == 0 || i > PrefixLength)
        {
            return -1;
        }

        return i;
    }
}
