using System.Buffers.Binary;

namespace ParallelDiff.Core.Compression;

/// <summary>
/// The CRC-32 that a gzip member trailer carries (RFC 1952 section 8: ISO 3309 polynomial,
/// reflected, initial and final value all ones). The BCL has no public CRC-32 without the
/// System.IO.Hashing package, so it is computed here, eight bytes per step with eight lookup
/// tables; that is far faster than deflate, so it never limits a gzip worker.
/// </summary>
internal static class Crc32
{
    private const uint ReflectedPolynomial = 0xEDB88320;

    // Table k maps a byte to its CRC contribution when k more bytes follow it in the 8-byte step.
    private static readonly uint[] Tables = BuildTables();

    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Continues <paramref name="crc"/> (a finished value, as <see cref="Compute"/> returns) over more data.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        var t = Tables.AsSpan();
        var c = ~crc;
        while (data.Length >= 8)
        {
            var lo = c ^ BinaryPrimitives.ReadUInt32LittleEndian(data);
            var hi = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            c = t[(7 * 256) + (int)(lo & 0xFF)] ^ t[(6 * 256) + (int)((lo >> 8) & 0xFF)]
                ^ t[(5 * 256) + (int)((lo >> 16) & 0xFF)] ^ t[(4 * 256) + (int)(lo >> 24)]
                ^ t[(3 * 256) + (int)(hi & 0xFF)] ^ t[(2 * 256) + (int)((hi >> 8) & 0xFF)]
                ^ t[256 + (int)((hi >> 16) & 0xFF)] ^ t[(int)(hi >> 24)];
            data = data[8..];
        }

        foreach (var b in data)
        {
            c = t[(int)((c ^ b) & 0xFF)] ^ (c >> 8);
        }

        return ~c;
    }

    private static uint[] BuildTables()
    {
        var t = new uint[8 * 256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var bit = 0; bit < 8; bit++)
            {
                c = (c & 1) != 0 ? (c >> 1) ^ ReflectedPolynomial : c >> 1;
            }

            t[n] = c;
        }

        for (var k = 1; k < 8; k++)
        {
            for (var n = 0; n < 256; n++)
            {
                var prev = t[((k - 1) * 256) + n];
                t[(k * 256) + n] = (prev >> 8) ^ t[(int)(prev & 0xFF)];
            }
        }

        return t;
    }
}
