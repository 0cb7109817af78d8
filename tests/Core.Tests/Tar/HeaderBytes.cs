using System.Buffers;
using System.Text;
using ParallelDiff.Core.Tar;

namespace ParallelDiff.Core.Tests.Tar;

/// <summary>
/// Test-side view of encoded headers. Offsets are spelled out from tar(5) here rather than taken
/// from TarFieldLayout, so a wrong constant there cannot make a test agree with it.
/// </summary>
public static class HeaderBytes
{
    public static byte[] Encode(TarHeader header)
    {
        var output = new ArrayBufferWriter<byte>();
        var written = TarHeaderEncoder.Write(header, output);
        if (written != output.WrittenCount)
        {
            throw new InvalidOperationException($"Write returned {written} but appended {output.WrittenCount}");
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>A regular 0644 file unless told otherwise; directories pass their trailing '/'.</summary>
    public static TarHeader Entry(
        byte[] name,
        TarEntryType type = TarEntryType.Regular,
        long size = 0,
        long uid = 0,
        long gid = 0,
        long mtime = 1_700_000_000,
        IReadOnlyList<KeyValuePair<string, byte[]>>? xattrs = null) =>
        new()
        {
            Name = name, Type = type, Mode = Convert.ToInt32(type == TarEntryType.Directory ? "755" : "644", 8),
            Size = size, Uid = uid, Gid = gid, MtimeSeconds = mtime, Xattrs = xattrs ?? [],
        };

    public static TarHeader Entry(string name, TarEntryType type = TarEntryType.Regular, long size = 0, long uid = 0, long gid = 0, long mtime = 1_700_000_000, IReadOnlyList<KeyValuePair<string, byte[]>>? xattrs = null) =>
        Entry(Encoding.UTF8.GetBytes(name), type, size, uid, gid, mtime, xattrs);

    public static byte[] Field(ReadOnlySpan<byte> block, int offset, int length) => block.Slice(offset, length).ToArray();

    public static byte[] Name(ReadOnlySpan<byte> block) => Field(block, 0, 100);

    public static byte[] LinkName(ReadOnlySpan<byte> block) => Field(block, 157, 100);

    public static byte[] Prefix(ReadOnlySpan<byte> block) => Field(block, 345, 155);

    /// <summary>The main header: the last 512 bytes of an encoded entry.</summary>
    public static ReadOnlySpan<byte> MainBlock(byte[] encoded) => encoded.AsSpan(encoded.Length - 512);

    /// <summary>The records of a PAX entry, their length read from the 'x' block's size field.</summary>
    public static byte[] PaxRecords(byte[] encoded)
    {
        if (encoded.Length == 512 || encoded[156] != (byte)'x')
        {
            throw new InvalidOperationException("not a PAX entry");
        }

        var size = Convert.ToInt32(Encoding.ASCII.GetString(encoded, 124, 11), 8);
        return encoded.AsSpan(512, size).ToArray();
    }

    /// <summary>"text" padded with NULs to the field length: how a short string field reads.</summary>
    public static byte[] Padded(string text, int length) => Padded(Encoding.UTF8.GetBytes(text), length);

    public static byte[] Padded(byte[] text, int length)
    {
        var field = new byte[length];
        text.CopyTo(field, 0);
        return field;
    }

    public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    /// <summary>tar(5): the unsigned byte sum with the checksum field counted as eight spaces.</summary>
    public static int ExpectedChecksum(ReadOnlySpan<byte> block)
    {
        var sum = 0;
        for (var i = 0; i < 512; i++)
        {
            sum += i is >= 148 and < 156 ? ' ' : block[i];
        }

        return sum;
    }
}
