using System.Diagnostics;
using ParallelDiff.Core.Tar;
using ParallelDiff.Core.Tests.Apply;
using Xunit;
using static ParallelDiff.Core.Tests.Apply.TestTar;

namespace ParallelDiff.Core.Tests.Tar;

/// <summary>The reader on archives from GNU tar and on hand-made (and broken) archives.</summary>
public sealed class TarReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tarreader-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string LongName = "d/" + new string('n', 150);
    private static readonly string LongTarget = new('t', 120);

    private byte[] GnuTar(string format, params string[] extra)
    {
        var src = Path.Combine(_dir, "src");
        Directory.CreateDirectory(Path.Combine(src, "d"));
        File.WriteAllText(Path.Combine(src, LongName), "long\n");
        File.CreateSymbolicLink(Path.Combine(src, "sym"), LongTarget);
        var output = Path.Combine(_dir, format + ".tar");
        var psi = new ProcessStartInfo("tar") { RedirectStandardError = true };
        foreach (var a in new[] { "--format=" + format, "-C", src, "-cf", output }.Concat(extra).Concat(["d", "sym"]))
        {
            psi.ArgumentList.Add(a);
        }

        using var tar = Process.Start(psi)!;
        var err = tar.StandardError.ReadToEnd();
        tar.WaitForExit();
        Assert.True(tar.ExitCode == 0, err);
        return File.ReadAllBytes(output);
    }

    private static List<(TarHeader Header, byte[] Data, TarEntryFormat Format)> ReadAll(byte[] tar)
    {
        var reader = new TarReader(new MemoryStream(tar));
        var all = new List<(TarHeader, byte[], TarEntryFormat)>();
        while (reader.Next() is { } e)
        {
            using var data = new MemoryStream();
            e.Data.CopyTo(data);
            all.Add((e.Header, data.ToArray(), e.Format));
        }

        return all;
    }

    [Fact]
    public void Reader_should_read_gnu_long_names_links_and_base256_numbers()
    {
        // GNU format: 'L'/'K' records for the long name and target; uid 5000000 and a negative
        // mtime do not fit octal, so GNU tar writes them base-256.
        var tar = GnuTar("gnu", "--owner=u:5000000", "--group=g:4000000", "--mtime=@-100");
        var all = ReadAll(tar);
        var file = all.Single(e => e.Header.Name.AsSpan().SequenceEqual(B(LongName)));
        Assert.Equal(TarEntryType.Regular, file.Header.Type);
        Assert.Equal(TarEntryFormat.Gnu, file.Format);
        Assert.Equal(B("long\n"), file.Data);
        Assert.Equal(5_000_000, file.Header.Uid);
        Assert.Equal(4_000_000, file.Header.Gid);
        Assert.Equal(-100, file.Header.MtimeSeconds);
        var sym = all.Single(e => e.Header.Type == TarEntryType.Symlink);
        Assert.Equal(B(LongTarget), sym.Header.LinkName);
        Assert.Equal(B("d/"), all[0].Header.Name);
        Assert.Equal(TarEntryType.Directory, all[0].Header.Type);
    }

    [Fact]
    public void Reader_should_read_gnu_tar_pax_archives_with_fractional_times()
    {
        var tar = GnuTar("pax", "--mtime=@1700000000.75", "--owner=u:3000000");
        var all = ReadAll(tar);
        var file = all.Single(e => e.Header.Name.AsSpan().SequenceEqual(B(LongName)));
        Assert.Equal(TarEntryFormat.Pax, file.Format);
        Assert.Equal(1_700_000_000, file.Header.MtimeSeconds);
        Assert.Equal(3_000_000, file.Header.Uid);
        Assert.Equal(B("long\n"), file.Data);
        Assert.Equal(B(LongTarget), all.Single(e => e.Header.Type == TarEntryType.Symlink).Header.LinkName);
    }

    [Theory]
    [InlineData("-1.5", -2)]
    [InlineData("-0.5", -1)]
    [InlineData("-1.000", -1)]
    [InlineData("1.999999999", 1)]
    [InlineData("-2147483648", -2147483648)]
    [InlineData("10413792000", 10413792000)]
    public void Reader_should_floor_pax_mtimes(string record, long seconds)
    {
        var tar = new TestTar().Add(new TestEntry(B("f"), TarEntryType.Regular) { ExtraPax = [new("mtime", record)] }).Build();
        Assert.Equal(seconds, ReadAll(tar).Single().Header.MtimeSeconds);
    }

    [Fact]
    public void Reader_should_apply_xattr_records_and_skip_global_headers()
    {
        var cap = new byte[] { 1, 0, 0, 2, 0, 0x20, 0, 0, 0, 0, 0, 0, 0xff, 0 };
        var tar = new TestTar()
            .Raw(B("pax_global_header"), (byte)'g', B("22 comment=ignore me\n"))
            .Add(new TestEntry(B("bin/ping"), TarEntryType.Regular) { Data = B("x"), Xattrs = [new("security.capability", cap), new("user.empty", [])] })
            .Build();
        var entry = ReadAll(tar).Single();
        Assert.Equal(2, entry.Header.Xattrs.Count);
        Assert.Equal("security.capability", entry.Header.Xattrs[0].Key);
        Assert.Equal(cap, entry.Header.Xattrs[0].Value);
        Assert.Empty(entry.Header.Xattrs[1].Value);
        Assert.Equal(B("x"), entry.Data);
    }

    [Fact]
    public void Reader_should_skip_unread_data_and_refuse_stale_streams()
    {
        var tar = new TestTar().File("a", new string('a', 1500)).File("b", "bee").Build();
        var reader = new TarReader(new MemoryStream(tar));
        var a = reader.Next()!;
        Assert.Equal(10, a.Data.Read(new byte[10]));
        var b = reader.Next()!;
        Assert.Equal(B("b"), b.Header.Name);
        Assert.Equal(1536 + 512, b.Offset);
        Assert.Throws<InvalidOperationException>(() => a.Data.ReadByte());
        Assert.Null(reader.Next());
    }

    [Fact]
    public void Reader_should_reject_a_bad_checksum_naming_its_offset()
    {
        var tar = new TestTar().File("a", "x").File("b", "y").Build();
        tar[1024 + 10] ^= 1;
        var reader = new TarReader(new MemoryStream(tar));
        reader.Next();
        var e = Assert.Throws<TarFormatException>(() => reader.Next());
        Assert.Equal(1024, e.Offset);
        Assert.Contains("offset 1024", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(300)]
    [InlineData(512 + 100)]
    [InlineData(1024)]
    [InlineData(1536)]
    [InlineData(1536 + 17)]
    public void Reader_should_reject_truncated_archives(int keep)
    {
        var tar = new TestTar().File("a", new string('a', 600)).Build();
        var reader = new TarReader(new MemoryStream(tar[..keep]));
        Assert.Throws<TarFormatException>(() =>
        {
            while (reader.Next() is { } e)
            {
                e.Data.CopyTo(Stream.Null);
            }
        });
    }

    [Fact]
    public void Reader_should_reject_an_extended_header_without_its_entry()
    {
        var tar = new TestTar().Raw(B("PaxHeaders.0/x"), (byte)'x', B("9 path=a\n")).Build();
        var e = Assert.Throws<TarFormatException>(() => new TarReader(new MemoryStream(tar)).Next());
        Assert.Equal(1024, e.Offset);
    }

    [Theory]
    [InlineData("8 path=a\n")]
    [InlineData("x path=a\n")]
    [InlineData("11 path=a\n")]
    [InlineData("9 path=a!")]
    [InlineData("9 size=q\n")]
    [InlineData("12 mtime=1.\n")]
    public void Reader_should_reject_malformed_pax_records(string records)
    {
        var tar = new TestTar().Raw(B("PaxHeaders.0/x"), (byte)'x', B(records)).File("a", "x").Build();
        var e = Assert.Throws<TarFormatException>(() => new TarReader(new MemoryStream(tar)).Next());
        Assert.Equal(512, e.Offset);
    }

    [Fact]
    public void Reader_should_join_the_ustar_prefix()
    {
        var tar = new TestTar().File("name", "x").Build();
        B("some/prefix\0").CopyTo(tar, 345);
        Fix(tar, 0);
        Assert.Equal(B("some/prefix/name"), ReadAll(tar).Single().Header.Name);
    }

    /// <summary>Recomputes a header's checksum after a test edited it.</summary>
    private static void Fix(byte[] tar, int offset)
    {
        tar.AsSpan(offset + 148, 8).Fill((byte)' ');
        var sum = tar.AsSpan(offset, 512).ToArray().Sum(b => (long)b);
        B(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(tar, offset + 148);
    }
}
