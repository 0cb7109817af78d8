using System.Buffers;
using System.Text;
using CsCheck;
using ParallelDiff.Core.Tar;
using Xunit;

namespace ParallelDiff.Core.Tests.Tar;

/// <summary>
/// Random headers (raw-byte and long names, huge ids and sizes, negative mtimes, binary xattrs)
/// are written as an archive and read back by Python's tarfile, which must see every field.
/// </summary>
public sealed class TarHeaderEncoderOracleTests
{
    private const long EightGiB = 8L << 30;

    private static readonly Gen<byte[]> AsciiSegment = Gen.Byte[(byte)'a', (byte)'z'].Array[1, 40];

    private static readonly Gen<byte[]> LongSegment = Gen.Byte[(byte)'a', (byte)'z'].Array[90, 160];

    // Any byte but NUL and '/': mostly not valid UTF-8.
    private static readonly Gen<byte[]> RawSegment = Gen.Byte[1, 255].Where(b => b != (byte)'/').Array[1, 12];

    private static readonly Gen<byte[]> UnicodeSegment =
        Gen.OneOf("ü", "日本語", "café", "😀", "\uFF61x").Select(s => Encoding.UTF8.GetBytes(s));

    private static readonly Gen<byte[]> Segment =
        Gen.Frequency((6, AsciiSegment), (2, LongSegment), (2, RawSegment), (1, UnicodeSegment));

    private static readonly Gen<byte[]> PathGen = Segment.Array[1, 5].Select(parts => parts.Aggregate((a, b) => [.. a, (byte)'/', .. b]));

    private static readonly Gen<byte[]> LinkGen =
        Gen.Frequency((4, PathGen), (1, Gen.Byte[(byte)'a', (byte)'z'].Array[95, 4100]), (1, RawSegment));

    // Around 0o7777777 (2097151), the last id USTAR holds.
    private static readonly Gen<long> IdGen =
        Gen.Frequency((5, Gen.Long[0, 65535]), (2, Gen.Long[2097140, 2097160]), (2, Gen.Long[0, uint.MaxValue]));

    // Around 0o77777777777 (year 2242), before 1970, and later.
    private static readonly Gen<long> MtimeGen = Gen.Frequency(
        (5, Gen.Long[0, 2_000_000_000]),
        (2, Gen.Long[8589934590, 8589934593]),
        (2, Gen.Long[-10_000_000_000, -1]),
        (1, Gen.Long[8589934592, 100_000_000_000]));

    // Huge sizes are written as holes in a sparse file.
    private static readonly Gen<long> SizeGen =
        Gen.Frequency((12, Gen.Long[0, 1500]), (1, Gen.Long[EightGiB - 2, EightGiB + 700]));

    private static readonly Gen<KeyValuePair<string, byte[]>[]> XattrsGen =
        Gen.Select(
                Gen.Frequency(
                    (3, Gen.Byte[(byte)'a', (byte)'z'].Array[1, 10].Select(b => "user." + Encoding.ASCII.GetString(b))),
                    (1, Gen.OneOf("security.capability", "user.ü", "user.\uFF61", "user.😀", "trusted.a b"))),
                Gen.Byte.Array[0, 100],
                (name, value) => new KeyValuePair<string, byte[]>(name, value))
            .Array[0, 3]
            .Select(xs => xs.DistinctBy(x => x.Key).ToArray());

    private static readonly Gen<TarEntryType> TypeGen = Gen.OneOf(
        TarEntryType.Regular, TarEntryType.Regular, TarEntryType.Directory, TarEntryType.Symlink,
        TarEntryType.HardLink, TarEntryType.CharDevice, TarEntryType.BlockDevice, TarEntryType.Fifo);

    private static readonly Gen<TarHeader> HeaderGen =
        from type in TypeGen
        from path in PathGen
        from mode in Gen.Int[0, 4095]
        from uid in IdGen
        from gid in IdGen
        from mtime in MtimeGen
        from size in type == TarEntryType.Regular ? SizeGen : Gen.Const(0L)
        from link in type is TarEntryType.Symlink or TarEntryType.HardLink ? LinkGen : Gen.Const(Array.Empty<byte>())
        from major in type is TarEntryType.CharDevice or TarEntryType.BlockDevice ? Gen.Long[0, 2097151] : Gen.Const(0L)
        from minor in type is TarEntryType.CharDevice or TarEntryType.BlockDevice ? Gen.Long[0, 2097151] : Gen.Const(0L)
        from xattrs in XattrsGen
        select new TarHeader
        {
            Name = type == TarEntryType.Directory ? [.. path, (byte)'/'] : path,
            Type = type, Mode = mode, Uid = uid, Gid = gid, MtimeSeconds = mtime, Size = size,
            LinkName = link, DevMajor = major, DevMinor = minor, Xattrs = xattrs,
        };

    [Fact]
    public void Python_tarfile_should_read_back_every_field_of_random_headers()
    {
        using var python = PythonTarfile.Start();
        HeaderGen.Array[1, 40].Sample(headers => AssertPythonReadsBack(python, headers), iter: 200, threads: 1, print: Describe);
    }

    private static void AssertPythonReadsBack(PythonTarfile python, TarHeader[] headers)
    {
        var path = Path.Combine(Path.GetTempPath(), $"paralleldiff-tar-{Guid.NewGuid():N}.tar");
        try
        {
            WriteArchive(path, headers);
            var members = python.Read(path);

            Assert.Equal(headers.Length, members.Count);
            for (var i = 0; i < headers.Length; i++)
            {
                AssertSameEntry(headers[i], members[i]);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void WriteArchive(string path, TarHeader[] headers)
    {
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var header in headers)
        {
            buffer.ResetWrittenCount();
            TarHeaderEncoder.Write(header, buffer);
            file.Write(buffer.WrittenSpan);

            var padded = header.Size + TarArchive.PaddingFor(header.Size);
            if (header.Size < EightGiB - 2)
            {
                var data = new byte[padded];
                for (var i = 0; i < header.Size; i++)
                {
                    data[i] = (byte)(i % 251 + 1);
                }

                file.Write(data);
            }
            else
            {
                file.Seek(padded, SeekOrigin.Current);
            }
        }

        file.Write(TarArchive.EndOfArchive);
    }

    private static void AssertSameEntry(TarHeader expected, TarfileMember actual)
    {
        var what = Fs.PathBytes.Display(expected.Name);

        // tarfile strips the trailing '/' of directory names.
        var name = expected.Type == TarEntryType.Directory ? expected.Name.AsSpan().TrimEnd((byte)'/') : expected.Name;
        Assert.True(Convert.ToHexStringLower(name) == actual.NameHex, $"{what}: name read back as {actual.NameHex}");
        Assert.True(Convert.ToHexStringLower(expected.LinkName) == actual.LinkNameHex, $"{what}: linkname read back as {actual.LinkNameHex}");
        Assert.Equal((expected.Mode, expected.Uid, expected.Gid, expected.Size, expected.MtimeSeconds), (actual.Mode, actual.Uid, actual.Gid, actual.Size, actual.Mtime));
        Assert.Equal(((char)expected.Type, expected.DevMajor, expected.DevMinor), (actual.Type, actual.DevMajor, actual.DevMinor));

        var xattrs = expected.Xattrs.ToDictionary(x => x.Key, x => Convert.ToHexStringLower(x.Value));
        Assert.Equal(xattrs.OrderBy(x => x.Key, StringComparer.Ordinal), actual.XattrsHex.OrderBy(x => x.Key, StringComparer.Ordinal));
    }

    private static string Describe(TarHeader[] headers) => string.Join(
        "\n",
        headers.Select(h =>
            $"{(char)h.Type} {Fs.PathBytes.Display(h.Name)} ({h.Name.Length} bytes) -> {Fs.PathBytes.Display(h.LinkName)} ({h.LinkName.Length}) " +
            $"mode={h.Mode} uid={h.Uid} gid={h.Gid} size={h.Size} mtime={h.MtimeSeconds} dev={h.DevMajor},{h.DevMinor} " +
            $"xattrs=[{string.Join(", ", h.Xattrs.Select(x => $"{x.Key}:{x.Value.Length}"))}]"));
}
