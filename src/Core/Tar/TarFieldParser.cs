namespace ParallelDiff.Core.Tar;

/// <summary>
/// Decoding of the fixed fields of a 512-byte tar header block (POSIX ustar, tar(5), and the GNU
/// base-256 extension). Every failure is reported with the offset of the header block.
/// </summary>
internal static class TarFieldParser
{
    public const int BlockSize = 512;

    private const int ChecksumOffset = 148;
    private const int ChecksumLength = 8;

    /// <summary>A string field ends at its first NUL, or fills the whole field (tar(5)).</summary>
    public static ReadOnlySpan<byte> String(ReadOnlySpan<byte> field)
    {
        var nul = field.IndexOf((byte)0);
        return nul < 0 ? field : field[..nul];
    }

    /// <summary>
    /// A numeric field: octal text padded with spaces or NULs, or — when the first byte has its
    /// high bit set — a big-endian base-256 two's complement number (GNU tar writes these for
    /// values that do not fit the octal digits, e.g. uid ≥ 2^21 or negative mtimes).
    /// </summary>
    public static long Number(ReadOnlySpan<byte> field, string fieldName, long blockOffset)
    {
        if (field.Length > 0 && (field[0] & 0x80) != 0)
        {
            return Base256(field, fieldName, blockOffset);
        }

        var text = field.Trim(" \0"u8);
        long value = 0;
        foreach (var c in text)
        {
            if (c is < (byte)'0' or > (byte)'7')
            {
                throw new TarFormatException($"the {fieldName} field is not octal", blockOffset);
            }

            if (value > (long.MaxValue >> 3))
            {
                throw new TarFormatException($"the {fieldName} field overflows", blockOffset);
            }

            value = (value << 3) | (long)(c - '0');
        }

        return value;
    }

    private static long Base256(ReadOnlySpan<byte> field, string fieldName, long blockOffset)
    {
        // Bit 6 of the first byte is the sign; a negative number is stored as its complement, so
        // inverting every byte gives the magnitude minus one.
        var negative = (field[0] & 0x40) != 0;
        var invert = negative ? (byte)0xff : (byte)0;
        ulong magnitude = 0;
        for (var i = 0; i < field.Length; i++)
        {
            var b = (byte)(field[i] ^ invert);
            if (i == 0)
            {
                b &= 0x7f;
            }

            if ((magnitude >> 56) != 0)
            {
                throw new TarFormatException($"the base-256 {fieldName} field overflows", blockOffset);
            }

            magnitude = (magnitude << 8) | b;
        }

        if ((magnitude >> 63) != 0)
        {
            throw new TarFormatException($"the base-256 {fieldName} field overflows", blockOffset);
        }

        return negative ? ~(long)magnitude : (long)magnitude;
    }

    /// <summary>
    /// The checksum is the sum of all 512 bytes with the checksum field counted as spaces. POSIX
    /// says unsigned bytes; some historic tars summed signed chars, so either is accepted (as GNU
    /// tar and Go's archive/tar do).
    /// </summary>
    public static bool ChecksumMatches(ReadOnlySpan<byte> block, long blockOffset)
    {
        var stored = Number(block.Slice(ChecksumOffset, ChecksumLength), "checksum", blockOffset);
        long unsigned = 0;
        long signed = 0;
        for (var i = 0; i < BlockSize; i++)
        {
            var b = i is >= ChecksumOffset and < ChecksumOffset + ChecksumLength ? (byte)' ' : block[i];
            unsigned += b;
            signed += (sbyte)b;
        }

        return stored == unsigned || stored == signed;
    }

    public static bool IsZeroBlock(ReadOnlySpan<byte> block) => !block.ContainsAnyExcept((byte)0);

    /// <summary>Decimal as PAX writes it (size, uid, gid): an optional '-' and digits only.</summary>
    public static bool TryParseDecimal(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        var negative = text.Length > 0 && text[0] == (byte)'-';
        var digits = negative ? text[1..] : text;
        if (digits.IsEmpty)
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (c is < (byte)'0' or > (byte)'9' || value > (long.MaxValue - 9) / 10)
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        value = negative ? -value : value;
        return true;
    }

    /// <summary>
    /// A PAX time ("seconds[.fraction]", possibly negative) floored to whole seconds, the same
    /// truncation the writer side applies (spec §3.1 step 4): "-1.5" is -2, "1.9" is 1.
    /// </summary>
    public static bool TryParsePaxSeconds(ReadOnlySpan<byte> text, out long seconds)
    {
        var dot = text.IndexOf((byte)'.');
        var whole = dot < 0 ? text : text[..dot];
        var fraction = dot < 0 ? ReadOnlySpan<byte>.Empty : text[(dot + 1)..];
        if (!TryParseDecimal(whole, out seconds) || (dot >= 0 && (fraction.IsEmpty || fraction.ContainsAnyExceptInRange((byte)'0', (byte)'9'))))
        {
            return false;
        }

        // Below zero, a non-zero fraction moves the value further from zero: floor, not truncate.
        if (whole[0] == (byte)'-' && fraction.ContainsAnyExcept((byte)'0'))
        {
            seconds--;
        }

        return true;
    }

    /// <summary>
    /// A PAX time with its fraction kept: whole seconds, floored, and the nanoseconds after them
    /// (0..999,999,999; digits past the ninth are dropped, as Go's archive/tar parsePAXTime does).
    /// "-1.25" is -2 s + 750,000,000 ns.
    /// </summary>
    public static bool TryParsePaxTime(ReadOnlySpan<byte> text, out long seconds, out int nanoseconds)
    {
        nanoseconds = 0;
        if (!TryParsePaxSeconds(text, out seconds))
        {
            return false;
        }

        var dot = text.IndexOf((byte)'.');
        if (dot < 0)
        {
            return true;
        }

        var fraction = text[(dot + 1)..];
        var nanos = 0;
        for (var i = 0; i < 9; i++)
        {
            nanos = (nanos * 10) + (i < fraction.Length ? fraction[i] - '0' : 0);
        }

        // The seconds are already floored below zero: the fraction then counts up from there.
        nanoseconds = text[0] == (byte)'-' && nanos != 0 ? 1_000_000_000 - nanos : nanos;
        return true;
    }
}
