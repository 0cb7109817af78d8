using System.Buffers;
using System.Globalization;
using System.Text;
using ParallelDiff.Core.Tar;

namespace ParallelDiff.Core.Tests.Apply;

/// <summary>One entry for <see cref="TestTar"/>; names and link targets are raw bytes.</summary>
public sealed record TestEntry(byte[] Name, TarEntryType Type)
{
    public int Mode { get; init; } = Convert.ToInt32("644", 8);

    public long Uid { get; init; }

    public long Gid { get; init; }

    public long Mtime { get; init; } = 1_600_000_000;

    public byte[] LinkName { get; init; } = [];

    public byte[] Data { get; init; } = [];

    public long DevMajor { get; init; }

    public long DevMinor { get; init; }

    public List<KeyValuePair<string, byte[]>> Xattrs { get; init; } = [];

    /// <summary>Extra PAX records written verbatim (e.g. a fractional mtime).</summary>
    public List<KeyValuePair<string, string>> ExtraPax { get; init; } = [];
}

/// <summary>
/// A deliberately small tar writer for tests: ustar headers, with a PAX 'x' header whenever a
/// value does not fit (long or non-ASCII names, big ids, negative times, xattrs). It does no
/// validation, so tests can also build hostile archives.
/// </summary>
public sealed class TestTar
{
    private readonly System.Buffers.ArrayBufferWriter<byte> _out = new();

    public static int Oct(string octal) => Convert.ToInt32(octal, 8);

    public static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    public TestTar File(string name, string content, string mode = "644", long mtime = 1_600_000_000) =>
        Add(new TestEntry(B(name), TarEntryType.Regular) { Data = B(content), Mode = Oct(mode), Mtime = mtime });

    public TestTar Dir(string name, string mode = "755", long mtime = 1_600_000_000) =>
        Add(new TestEntry(B(name), TarEntryType.Directory) { Mode = Oct(mode), Mtime = mtime });

    public TestTar Symlink(string name, string target) =>
        Add(new TestEntry(B(name), TarEntryType.Symlink) { LinkName = B(target), Mode = Oct("777") });

    public TestTar HardLink(string name, string target) =>
        Add(new TestEntry(B(name), TarEntryType.HardLink) { LinkName = B(target) });

    /// <summary>A whiteout as containerd's ChangeWriter writes it: an empty regular file, mode 0, mtime 0.</summary>
    public TestTar Whiteout(string name) =>
        Add(new TestEntry(B(name), TarEntryType.Regular) { Mode = 0, Mtime = 0 });

    public TestTar Add(TestEntry e)
    {
        var records = new List<KeyValuePair<string, byte[]>>();
        if (e.Name.Length > 100 || !Ascii(e.Name))
        {
            records.Add(new("path", e.Name));
        }

        if (e.LinkName.Length > 100 || !Ascii(e.LinkName))
        {
            records.Add(new("linkpath", e.LinkName));
        }

        if (e.Uid > 0x1FFFFF)
        {
            records.Add(new("uid", B(e.Uid.ToString(CultureInfo.InvariantCulture))));
        }

        if (e.Gid > 0x1FFFFF)
        {
            records.Add(new("gid", B(e.Gid.ToString(CultureInfo.InvariantCulture))));
        }

        if (e.Mtime is < 0 or > 0x1FFFFFFFF)
        {
            records.Add(new("mtime", B(e.Mtime.ToString(CultureInfo.InvariantCulture))));
        }

        records.AddRange(e.Xattrs.Select(x => new KeyValuePair<string, byte[]>("SCHILY.xattr." + x.Key, x.Value)));
        records.AddRange(e.ExtraPax.Select(x => new KeyValuePair<string, byte[]>(x.Key, B(x.Value))));
        if (records.Count > 0)
        {
            var body = new MemoryStream();
            foreach (var (key, value) in records)
            {
                body.Write(PaxRecord(key, value));
            }

            WriteHeader(B("PaxHeaders.0/x"), (byte)'x', 0, 0, 0, body.Length, 0, [], 0, 0);
            WriteData(body.ToArray());
        }

        WriteHeader(e.Name, (byte)e.Type, e.Mode, e.Uid, e.Gid, e.Data.Length, e.Mtime, e.LinkName, e.DevMajor, e.DevMinor);
        WriteData(e.Data);
        return this;
    }

    /// <summary>A raw header block with any typeflag (e.g. 'g' or 'L') followed by its data.</summary>
    public TestTar Raw(byte[] name, byte type, byte[] data)
    {
        WriteHeader(name, type, 0, 0, 0, data.Length, 0, [], 0, 0);
        WriteData(data);
        return this;
    }

    public byte[] Build()
    {
        return [.. _out.WrittenSpan, .. new byte[1024]];
    }

    public MemoryStream ToStream() => new(Build());

    private static bool Ascii(byte[] s) => s.All(b => b is > 0 and < 0x80);

    private static byte[] PaxRecord(string key, byte[] value)
    {
        var tail = B(" " + key + "=").Concat(value).Append((byte)'\n').ToArray();
        var length = tail.Length + 1;
        while (length.ToString(CultureInfo.InvariantCulture).Length + tail.Length != length)
        {
            length++;
        }

        return B(length.ToString(CultureInfo.InvariantCulture)).Concat(tail).ToArray();
    }

    private void WriteHeader(byte[] name, byte type, int mode, long uid, long gid, long size, long mtime, byte[] link, long major, long minor)
    {
        var h = new byte[512];
        name.AsSpan(0, Math.Min(100, name.Length)).CopyTo(h);
        Octal(h, 100, 8, mode);
        Octal(h, 108, 8, uid > 0x1FFFFF ? 0 : uid);
        Octal(h, 116, 8, gid > 0x1FFFFF ? 0 : gid);
        Octal(h, 124, 12, size);
        Octal(h, 136, 12, mtime is < 0 or > 0x1FFFFFFFF ? 0 : mtime);
        h[156] = type;
        link.AsSpan(0, Math.Min(100, link.Length)).CopyTo(h.AsSpan(157));
        B("ustar\0" + "00").CopyTo(h, 257);
        Octal(h, 329, 8, major);
        Octal(h, 337, 8, minor);
        h.AsSpan(148, 8).Fill((byte)' ');
        var sum = h.Sum(b => (long)b);
        B(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(h, 148);
        _out.Write<byte>(h);
    }

    private static void Octal(byte[] h, int offset, int length, long value) =>
        B(Convert.ToString(value, 8).PadLeft(length - 1, '0') + "\0").CopyTo(h, offset);

    private void WriteData(byte[] data)
    {
        _out.Write<byte>(data);
        _out.Write<byte>(new byte[(512 - (data.Length % 512)) % 512]);
    }
}
