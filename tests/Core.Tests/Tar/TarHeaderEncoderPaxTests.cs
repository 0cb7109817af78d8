using System.Text;
using ParallelDiff.Core.Tar;
using Xunit;
using static ParallelDiff.Core.Tests.Tar.HeaderBytes;

namespace ParallelDiff.Core.Tests.Tar;

/// <summary>Entries that need an 'x' block: which records, in which order, and the two block layouts.</summary>
public sealed class TarHeaderEncoderPaxTests
{
    private static readonly byte[] Capability = Convert.FromBase64String("AQAAAgAgAAAAAAAAAAAAAAAAAAA=");

    private static KeyValuePair<string, byte[]> Xattr(string name, byte[] value) => new(name, value);

    [Fact]
    public void Size_of_8_GiB_should_go_to_a_pax_size_record()
    {
        var encoded = Encode(Entry("big", size: 8L << 30));

        Assert.Equal(1536, encoded.Length);
        Assert.Equal(Ascii("19 size=8589934592\n"), PaxRecords(encoded));
        Assert.Equal(Ascii("00000000000\0"), Field(MainBlock(encoded), 124, 12));
    }

    [Fact]
    public void Uid_of_3000000_should_go_to_a_pax_uid_record_and_zeros()
    {
        var encoded = Encode(Entry("owned", uid: 3_000_000, gid: 100));

        Assert.Equal(Ascii("15 uid=3000000\n"), PaxRecords(encoded));
        Assert.Equal(Ascii("0000000\0"), Field(MainBlock(encoded), 108, 8));
        Assert.Equal(Ascii("0000144\0"), Field(MainBlock(encoded), 116, 8));
    }

    [Fact]
    public void Negative_mtime_should_go_to_a_pax_mtime_record_and_zeros()
    {
        var encoded = Encode(Entry("old", mtime: -1));

        Assert.Equal(Ascii("12 mtime=-1\n"), PaxRecords(encoded));
        Assert.Equal(Ascii("00000000000\0"), Field(MainBlock(encoded), 136, 12));
    }

    [Fact]
    public void Name_of_101_bytes_without_slash_should_use_pax_path_and_a_cut_name()
    {
        var name = new string('n', 101);
        var encoded = Encode(Entry(name));

        Assert.Equal(Ascii("111 path=" + name + "\n"), PaxRecords(encoded));
        Assert.Equal(Ascii(name[..100]), Name(MainBlock(encoded)));
        Assert.Equal(Ascii("PaxHeaders.0/" + name[..87]), Name(encoded));
    }

    [Fact]
    public void Non_UTF8_name_should_keep_raw_bytes_in_pax_and_drop_them_in_the_blocks()
    {
        byte[] name = [.. "bad-"u8, 0xff, 0xfe];
        var encoded = Encode(Entry(name));

        Assert.Equal([.. "15 path="u8, .. name, (byte)'\n'], PaxRecords(encoded));
        Assert.Equal(Padded("PaxHeaders.0/bad-", 100), Name(encoded));
        Assert.Equal(Padded("bad-", 100), Name(MainBlock(encoded)));
    }

    [Fact]
    public void Linkname_of_4000_bytes_should_go_to_a_pax_linkpath_record()
    {
        var target = new string('t', 4000);
        var encoded = Encode(new TarHeader { Name = Ascii("l4000"), Type = TarEntryType.Symlink, Mode = Convert.ToInt32("777", 8), LinkName = Ascii(target) });

        Assert.Equal(512 + 4096 + 512, encoded.Length);
        Assert.Equal(Ascii("00000007657\0"), Field(encoded, 124, 12)); // 4015 bytes of records
        Assert.Equal(Ascii("4015 linkpath=" + target + "\n"), PaxRecords(encoded));
        Assert.Equal(new byte[4096 - 4015], encoded.AsSpan(512 + 4015, 4096 - 4015).ToArray());
        Assert.Equal(Ascii(target[..100]), LinkName(MainBlock(encoded)));
        Assert.Equal(Padded("l4000", 100), Name(MainBlock(encoded)));
    }

    [Fact]
    public void Extended_block_should_leave_owner_link_and_device_fields_NUL()
    {
        var encoded = Encode(new TarHeader
        {
            Name = Ascii("dev/tty9"), Type = TarEntryType.CharDevice, Mode = Convert.ToInt32("620", 8), Uid = 5_000_000, Gid = 5,
            MtimeSeconds = 1_600_000_000, DevMajor = 4, DevMinor = 9, LinkName = [],
        });
        var x = encoded.AsSpan(0, 512);

        Assert.Equal(Padded("dev/PaxHeaders.0/tty9", 100), Name(x));
        Assert.Equal(Ascii("0000000\0" + "0000000\0" + "0000000\0"), Field(x, 100, 24));
        Assert.Equal(Ascii("00000000000\0"), Field(x, 136, 12));
        Assert.Equal((byte)'x', x[156]);
        Assert.Equal(new byte[100], LinkName(x));
        Assert.Equal(Ascii("ustar\0" + "00"), Field(x, 257, 8));
        Assert.Equal(new byte[32 + 32 + 8 + 8 + 155 + 12], Field(x, 265, 247));
        Assert.Equal(ExpectedChecksum(x), Convert.ToInt32(Encoding.ASCII.GetString(x.Slice(148, 6)), 8));

        var main = MainBlock(encoded);
        Assert.Equal(Ascii("0000004\0" + "0000011\0"), Field(main, 329, 16));
        Assert.Equal(ExpectedChecksum(main), Convert.ToInt32(Encoding.ASCII.GetString(main.Slice(148, 6)), 8));
    }

    [Theory]
    [InlineData("usr/bin/", "usr/bin/PaxHeaders.0")]
    [InlineData("a", "PaxHeaders.0/a")]
    [InlineData("usr/bin/ping", "usr/bin/PaxHeaders.0/ping")]
    [InlineData("a/./b/../c", "a/PaxHeaders.0/c")]
    [InlineData("a//b", "a/PaxHeaders.0/b")]
    [InlineData("../x", "../PaxHeaders.0/x")]
    [InlineData("日本語/", "/PaxHeaders.0")]
    public void Extended_block_name_should_be_joined_cleaned_and_made_ascii(string name, string expected)
    {
        var type = name.EndsWith('/') ? TarEntryType.Directory : TarEntryType.Regular;
        var encoded = Encode(Entry(name, type, xattrs: [Xattr("security.capability", Capability)]));

        Assert.Equal(Padded(expected, 100), Name(encoded));
    }

    [Fact]
    public void Cut_pax_name_ending_in_slash_should_get_its_NUL_before_the_slashes()
    {
        // toASCII gives 97 'x', "///", "yy" (102 bytes): byte 99 is '/', so Go's formatString puts
        // the NUL where the run of slashes starts and leaves the two slashes after it.
        byte[] name = [.. Ascii(new string('x', 97) + "///yy"), 0xc3, 0xa9];
        var encoded = Encode(Entry(name));

        Assert.Equal([.. Ascii(new string('x', 97)), 0, (byte)'/', (byte)'/'], Name(MainBlock(encoded)));
    }

    [Fact]
    public void Splittable_name_should_not_be_split_when_an_xattr_forces_pax()
    {
        var name = new string('d', 60) + "/" + new string('f', 60);
        var encoded = Encode(Entry(name, xattrs: [Xattr("security.capability", Capability)]));

        var records = PaxRecords(encoded);
        var capability = Encoding.ASCII.GetBytes("57 SCHILY.xattr.security.capability=");
        Assert.Equal([.. capability, .. Capability, (byte)'\n', .. Ascii("131 path=" + name + "\n")], records);
        Assert.Equal(new byte[155], Prefix(MainBlock(encoded)));
        Assert.Equal(Ascii(name[..100]), Name(MainBlock(encoded)));
    }

    [Fact]
    public void Records_should_be_sorted_by_key_bytes()
    {
        var encoded = Encode(new TarHeader
        {
            Name = Ascii("l"), Type = TarEntryType.Symlink, LinkName = Encoding.UTF8.GetBytes("ü"), Uid = -5, Gid = 3_000_000,
            MtimeSeconds = -100, Xattrs = [Xattr("\U0001F600", [1]), Xattr("a", [2]), Xattr("\uFF61", [3])],
        });

        // UTF-16 order would put U+1F600 (a surrogate pair) before U+FF61; Go compares UTF-8 bytes.
        var text = Encoding.UTF8.GetString(PaxRecords(encoded));
        string[] keys = [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(r => r[(r.IndexOf(' ') + 1)..r.IndexOf('=')])];
        Assert.Equal(["SCHILY.xattr.a", "SCHILY.xattr.\uFF61", "SCHILY.xattr.\U0001F600", "gid", "linkpath", "mtime", "uid"], keys);
        Assert.Contains("9 uid=-5\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Record_length_should_count_the_digit_its_own_length_adds()
    {
        // key 19 + value 76 + 3 = 98; with two digits that is 100, which needs three: 101.
        var encoded = Encode(Entry("f", xattrs: [Xattr("user.k", new byte[76])]));

        var records = PaxRecords(encoded);
        Assert.Equal(101, records.Length);
        Assert.Equal(Ascii("101 SCHILY.xattr.user.k="), records[..24]);
    }

    [Fact]
    public void Binary_xattr_value_should_be_written_raw()
    {
        byte[] value = [0, (byte)'\n', (byte)'=', 0xff];
        var encoded = Encode(Entry("f", xattrs: [Xattr("user.bin", value)]));

        Assert.Equal([.. Ascii("30 SCHILY.xattr.user.bin="), .. value, (byte)'\n'], PaxRecords(encoded));
    }

    [Theory]
    [InlineData("a=b")]
    [InlineData("a\0b")]
    public void Xattr_name_that_breaks_a_record_should_throw(string name)
    {
        Assert.Throws<TarEncodingException>(() => Encode(Entry("f", xattrs: [Xattr(name, [1])])));
    }

    [Fact]
    public void Xattr_name_with_a_lone_surrogate_should_throw()
    {
        var e = Assert.Throws<TarEncodingException>(() => Encode(Entry("f", xattrs: [Xattr("user.\uD800", [1])])));

        Assert.Equal("f", e.EntryName);
    }

    [Fact]
    public void Duplicate_xattr_should_throw()
    {
        Assert.Throws<TarEncodingException>(() => Encode(Entry("f", xattrs: [Xattr("user.a", [1]), Xattr("user.a", [2])])));
    }
}
