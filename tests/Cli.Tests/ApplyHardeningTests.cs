using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>
/// apply never changes a file outside DEST through a hard link, stops on Ctrl-C or SIGTERM with
/// exit 130, never leaves a partial file under a layer's name, and says what broke in a damaged blob.
/// </summary>
public sealed class ApplyHardeningTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pd-apply-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [RootFact]
    public void Hard_link_entry_should_not_change_the_inode_it_links_to()
    {
        // DEST holds a hard link to a file outside it, as a `cp -al` tree does.
        var outside = Path.Combine(_root, "outside-secret");
        File.WriteAllText(outside, "root only");
        File.SetUnixFileMode(outside, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var dest = Directory.CreateDirectory(Path.Combine(_root, "dest")).FullName;
        Run("ln", outside, Path.Combine(dest, "victim"));
        var before = Stat(outside);

        var layer = Path.Combine(_root, "evil.tar");
        using (var file = File.Create(layer))
        using (var tar = new TarWriter(file, TarEntryFormat.Pax))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.HardLink, "evil")
            {
                LinkName = "victim",
                Mode = (UnixFileMode)0b110_111_111_111,
                Uid = 4242,
                Gid = 4242,
                ModificationTime = new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero),
            });
        }

        var result = CliRunner.Run("apply", layer, dest);
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Equal(before, Stat(outside));
        Assert.Equal(before, Stat(Path.Combine(dest, "evil")));
    }

    [Theory]
    [InlineData("INT")]
    [InlineData("TERM")]
    public async Task A_signal_should_stop_apply_with_130_and_leave_no_partial_file(string signal)
    {
        // 4 GiB of zeros, zstd-compressed by the zstd tool: small on disk, seconds to write out even
        // when the test is descheduled for a while on a loaded machine.
        var layer = Path.Combine(_root, "zeros.tar.zst");
        Run("bash", "-c", $"cd '{_root}' && truncate -s 4G zeros && tar -cf - zeros | zstd -q -1 -T0 -o zeros.tar.zst && rm zeros");
        var dest = Directory.CreateDirectory(Path.Combine(_root, "dest")).FullName;
        using var apply = CliRunner.Start("apply", layer, dest);
        var stderr = apply.StandardError.ReadToEndAsync();

        // Once the big file's data is being written (under its temporary name), interrupt.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Directory.GetFiles(dest, ".pd-apply-*").Length == 0 && !apply.HasExited && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }

        Assert.False(apply.HasExited, "apply ended before it could be interrupted: " + (apply.HasExited ? await stderr : string.Empty));
        var sent = Stopwatch.StartNew();
        Run("kill", "-" + signal, apply.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(apply.WaitForExit(10_000), "apply did not stop within 10 s of SIG" + signal);
        Assert.True(sent.Elapsed < TimeSpan.FromSeconds(5), $"apply took {sent.Elapsed} to stop");
        Assert.Equal(130, apply.ExitCode);
        Assert.Contains("partly applied", await stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dest, "zeros")), "a partial file was left under the layer's name");
        Assert.Empty(Directory.GetFiles(dest, ".pd-apply-*"));
    }

    [Fact]
    public void A_layer_cut_short_should_fail_naming_it_and_leave_no_partial_file()
    {
        var whole = File.ReadAllBytes(ZerosLayer(8 << 20, "fill"));
        var cut = Path.Combine(_root, "cut.tar");
        File.WriteAllBytes(cut, whole[..(whole.Length / 2)]);
        var dest = Directory.CreateDirectory(Path.Combine(_root, "dest")).FullName;

        var result = CliRunner.Run("apply", cut, dest);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(cut, result.StdErr, StringComparison.Ordinal);
        Assert.Contains("partly applied", result.StdErr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(dest));
    }

    [Theory]
    [InlineData("zstd", "zst")]
    [InlineData("lz4", "lz4")]
    public void A_compressed_layer_cut_short_should_be_named_with_its_stream_cut_short(string tool, string extension)
    {
        // Compressed by the format's own tool, then cut in half: the decompressor alone says only
        // "Premature end of stream", naming neither the layer nor the format.
        var tar = ZerosLayer(1 << 20, "data", random: true);
        var whole = $"{tar}.{extension}";
        Run("bash", "-c", $"{tool} -q -c < '{tar}' > '{whole}'");
        var bytes = File.ReadAllBytes(whole);
        var cut = Path.Combine(_root, "cut." + extension);
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);

        var result = CliRunner.Run("apply", cut, Directory.CreateDirectory(Path.Combine(_root, "dest")).FullName);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{cut}: the {tool} stream is damaged or cut short", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("partly applied", result.StdErr, StringComparison.Ordinal);
        Assert.Single(result.StdErr.Trim().Split('\n'));
        Assert.Empty(result.StdOut);
    }

    [Fact]
    public void A_damaged_gzip_layer_should_be_reported_as_a_damaged_gzip_stream()
    {
        var tar = File.ReadAllBytes(ZerosLayer(1 << 20, "data", random: true));
        var gz = Path.Combine(_root, "layer.tgz");
        using (var file = File.Create(gz))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        {
            gzip.Write(tar);
        }

        var bytes = File.ReadAllBytes(gz);
        for (var i = bytes.Length / 2; i < bytes.Length / 2 + 64; i++)
        {
            bytes[i] ^= 0x5A;
        }

        File.WriteAllBytes(gz, bytes);
        var result = CliRunner.Run("apply", gz, Directory.CreateDirectory(Path.Combine(_root, "dest")).FullName);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{gz}: the gzip stream is damaged", result.StdErr, StringComparison.Ordinal);
        Assert.Single(result.StdErr.Trim().Split('\n'));
    }

    [Fact]
    public void Apply_should_set_every_time_a_tar_carries_as_tar_xf_does()
    {
        // Before 1970, after 2262 (containerd would clamp both to 1970) and with fractions of a second.
        var times = new[]
        {
            ("old", new DateTimeOffset(1960, 3, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(2_500_000)),
            ("future", new DateTimeOffset(2446, 5, 10, 8, 30, 0, TimeSpan.Zero).AddTicks(1_234_567)),
            ("fraction", new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(9_876_543)),
        };
        var layer = Path.Combine(_root, "times.tar");
        using (var file = File.Create(layer))
        using (var tar = new TarWriter(file, TarEntryFormat.Pax))
        {
            foreach (var (name, time) in times)
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { ModificationTime = time, Mode = (UnixFileMode)0b110_100_100 });
            }

            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "dir/") { ModificationTime = times[0].Item2, Mode = (UnixFileMode)0b111_101_101 });
        }

        var ours = Directory.CreateDirectory(Path.Combine(_root, "ours")).FullName;
        var gnu = Directory.CreateDirectory(Path.Combine(_root, "gnu")).FullName;
        var result = CliRunner.Run("apply", layer, ours);
        Assert.True(result.ExitCode == 0, result.StdErr);
        Run("tar", "-xf", layer, "-C", gnu);

        foreach (var name in times.Select(t => t.Item1).Append("dir"))
        {
            Assert.Equal(Mtime(Path.Combine(gnu, name)), Mtime(Path.Combine(ours, name)));
        }

        Assert.Equal("-310391999.750000000", Mtime(Path.Combine(ours, "old")));
        Assert.EndsWith(".123456700", Mtime(Path.Combine(ours, "future")), StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_as_layer_should_be_named_as_such()
    {
        var result = CliRunner.Run("apply", _root, Directory.CreateDirectory(Path.Combine(_root, "dest")).FullName);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{_root}: is a directory, not a layer blob", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("Access to the path", result.StdErr, StringComparison.Ordinal);
    }

    /// <summary>An uncompressed layer with one regular file of <paramref name="size"/> bytes (zeros, or random).</summary>
    private string ZerosLayer(long size, string name = "zeros", bool random = false)
    {
        var layer = Path.Combine(_root, $"{name}.tar");
        using var file = File.Create(layer);
        using var tar = new TarWriter(file, TarEntryFormat.Pax);
        var data = random ? (Stream)new MemoryStream(RandomBytes((int)size)) : new ZeroStream(size);
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = data, Mode = (UnixFileMode)0b110_100_100 });
        return layer;
    }

    private static byte[] RandomBytes(int size)
    {
        var bytes = new byte[size];
        new Random(5).NextBytes(bytes);
        return bytes;
    }

    private static void Run(string tool, params string[] args)
    {
        using var p = Process.Start(tool, args);
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }

    /// <summary>The mtime to the nanosecond, as stat(1) prints it ("-310391999.750000000").</summary>
    private static string Mtime(string path)
    {
        using var p = Process.Start(new ProcessStartInfo("stat", ["-c", "%.9Y", path]) { RedirectStandardOutput = true })!;
        var text = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return text;
    }

    /// <summary>mode, uid, gid and mtime, as stat(1) prints them.</summary>
    private static string Stat(string path)
    {
        using var p = Process.Start(new ProcessStartInfo("stat", ["-c", "%a %u %g %Y", path]) { RedirectStandardOutput = true })!;
        var text = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return text;
    }

    /// <summary>A readable stream of zeros of a given length, without holding them.</summary>
    private sealed class ZeroStream(long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            Array.Clear(buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
