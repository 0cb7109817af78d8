using System.Buffers;
using System.Text;
using ParallelDiff.Core.Tar;
using Xunit;
using static ParallelDiff.Core.Tests.Tar.HeaderBytes;

namespace ParallelDiff.Core.Tests.Tar;

/// <summary>Single-block entries, the USTAR split, and the headers no format can carry.</summary>
public sealed class TarHeaderEncoderUstarTests
{
    [Fact]
    public void Whiteout_should_be_one_block_laid_out_field_by_field()
    {
        var encoded = Encode(new TarHeader { Name = Ascii("d/.wh.x"), Type = TarEntryType.Regular });

        var expected = new byte[512];
        Ascii("d/.wh.x").CopyTo(expected, 0);
        Ascii("0000000\0" + "0000000\0" + "0000000\0" + "00000000000\0" + "00000000000\0").CopyTo(expected, 100);
        expected[156] = (byte)'0';
        Ascii("ustar\0" + "00").CopyTo(expected, 257);
        Ascii("0000000\0" + "0000000\0").CopyTo(expected, 329);
        Ascii(Convert.ToString(ExpectedChecksum(expected), 8).PadLeft(6, '0') + "\0 ").CopyTo(expected, 148);

        Assert.Equal(expected, encoded);
    }

    [Fact]
    public void Checksum_should_be_six_octal_digits_then_NUL_then_space()
    {
        var encoded = Encode(Entry("etc/passwd", size: 1234, uid: 1000, gid: 1000));

        var field = Field(encoded, 148, 8);
        Assert.Equal((byte)0, field[6]);
        Assert.Equal((byte)' ', field[7]);
        Assert.Equal(ExpectedChecksum(encoded), Convert.ToInt32(Encoding.ASCII.GetString(field, 0, 6), 8));
    }

    [Fact]
    public void Numbers_should_be_zero_padded_octal_with_a_NUL()
    {
        var encoded = Encode(new TarHeader
        {
            Name = Ascii("dev/loop9"), Type = TarEntryType.BlockDevice, Mode = Convert.ToInt32("4660", 8), Uid = 2097151, Gid = 6,
            MtimeSeconds = 8589934591, DevMajor = 7, DevMinor = 2097151,
        });

        Assert.Equal(Ascii("0004660\0"), Field(encoded, 100, 8));
        Assert.Equal(Ascii("7777777\0"), Field(encoded, 108, 8));
        Assert.Equal(Ascii("0000006\0"), Field(encoded, 116, 8));
        Assert.Equal(Ascii("00000000000\0"), Field(encoded, 124, 12));
        Assert.Equal(Ascii("77777777777\0"), Field(encoded, 136, 12));
        Assert.Equal((byte)'4', encoded[156]);
        Assert.Equal(Ascii("0000007\0"), Field(encoded, 329, 8));
        Assert.Equal(Ascii("7777777\0"), Field(encoded, 337, 8));
    }

    [Fact]
    public void Size_just_below_8_GiB_should_stay_ustar()
    {
        var encoded = Encode(Entry("big", size: (8L << 30) - 1));

        Assert.Equal(512, encoded.Length);
        Assert.Equal(Ascii("77777777777\0"), Field(encoded, 124, 12));
    }

    [Fact]
    public void Name_of_exactly_100_bytes_should_fill_the_field_without_NUL()
    {
        var name = new string('n', 100);
        var encoded = Encode(Entry(name));

        Assert.Equal(512, encoded.Length);
        Assert.Equal(Ascii(name), Name(encoded));
        Assert.Equal(Ascii("0000644\0"), Field(encoded, 100, 8));
        Assert.Equal(new byte[155], Prefix(encoded));
    }

    [Fact]
    public void Name_of_101_bytes_with_a_slash_should_split_into_prefix_and_name()
    {
        var encoded = Encode(Entry(new string('d', 50) + "/" + new string('f', 50)));

        Assert.Equal(512, encoded.Length);
        Assert.Equal(Padded(new string('f', 50), 100), Name(encoded));
        Assert.Equal(Padded(new string('d', 50), 155), Prefix(encoded));
    }

    [Fact]
    public void Name_of_155_plus_100_bytes_should_fill_both_prefix_and_name()
    {
        var encoded = Encode(Entry(new string('p', 155) + "/" + new string('n', 100)));

        Assert.Equal(512, encoded.Length);
        Assert.Equal(Ascii(new string('n', 100)), Name(encoded));
        Assert.Equal(Ascii(new string('p', 155)), Prefix(encoded));
    }

    [Fact]
    public void Directory_suffix_should_keep_its_trailing_slash_after_the_split()
    {
        var dir = new string('a', 77) + "/" + new string('b', 77) + "/";
        var encoded = Encode(new TarHeader { Name = Ascii(dir), Type = TarEntryType.Directory, Mode = Convert.ToInt32("755", 8) });

        Assert.Equal(512, encoded.Length);
        Assert.Equal(Padded(new string('b', 77) + "/", 100), Name(encoded));
        Assert.Equal(Padded(new string('a', 77), 155), Prefix(encoded));
    }

    [Theory]
    [InlineData(156, 99)] // prefix one byte too long
    [InlineData(10, 101)] // last element alone too long
    [InlineData(0, 101)]  // no '/' at all
    public void Name_that_cannot_split_should_need_pax(int prefixLength, int nameLength)
    {
        var name = prefixLength == 0 ? new string('n', nameLength) : new string('p', prefixLength) + "/" + new string('n', nameLength);
        var encoded = Encode(Entry(name));

        Assert.Equal((byte)'x', encoded[156]);
        Assert.Equal(new byte[155], Prefix(MainBlock(encoded)));
    }

    [Theory]
    [InlineData(2097152L, 0L, "devmajor")]
    [InlineData(0L, 0x200000L, "devminor")]
    [InlineData(-1L, 0L, "devmajor")]
    public void Device_number_too_large_should_throw_and_append_nothing(long major, long minor, string field)
    {
        var output = new ArrayBufferWriter<byte>();
        var header = new TarHeader { Name = Ascii("dev/huge"), Type = TarEntryType.CharDevice, DevMajor = major, DevMinor = minor };

        var e = Assert.Throws<TarEncodingException>(() => TarHeaderEncoder.Write(header, output));

        Assert.Equal(field, e.Field);
        Assert.Equal("dev/huge", e.EntryName);
        Assert.Contains("dev/huge", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void NUL_in_name_or_linkname_should_throw()
    {
        var inName = Assert.Throws<TarEncodingException>(() => Encode(Entry("a\0b")));
        var inLink = Assert.Throws<TarEncodingException>(() => Encode(new TarHeader { Name = Ascii("l"), Type = TarEntryType.Symlink, LinkName = Ascii("t\0") }));

        Assert.Equal("name", inName.Field);
        Assert.Equal("linkname", inLink.Field);
    }

    [Fact]
    public void Regular_file_name_with_trailing_slash_should_throw()
    {
        var e = Assert.Throws<TarEncodingException>(() => Encode(Entry("f/")));

        Assert.Equal("name", e.Field);
    }

    [Theory]
    [InlineData(0L, 0)]
    [InlineData(1L, 511)]
    [InlineData(511L, 1)]
    [InlineData(512L, 0)]
    [InlineData(513L, 511)]
    [InlineData((8L << 30) + 3, 509)]
    public void PaddingFor_should_reach_the_next_block_boundary(long size, int padding) =>
        Assert.Equal(padding, TarArchive.PaddingFor(size));

    [Fact]
    public void EndOfArchive_should_be_two_zero_blocks() =>
        Assert.Equal(new byte[1024], TarArchive.EndOfArchive.ToArray());
}
