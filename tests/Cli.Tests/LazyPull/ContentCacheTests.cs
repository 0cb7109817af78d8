using System.Text.Json;
using Xunit;

namespace ParallelDiff.Cli.Tests.LazyPull;

/// <summary>
/// Issue 15's content cache through the CLI: `export --cache DIR` takes an unchanged snapshot's
/// layer from the cache without opening its files, exports a changed one again, never trusts a
/// damaged entry, shares the directory between exports running at once, and keeps it under its
/// size. The frames of zstd:chunked and eStargz files are copied rather than compressed again, in
/// one export and from the directory in later ones. In every case the layout is byte-identical to
/// one written without any cache.
/// </summary>
public sealed class ContentCacheTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pd-cache-").FullName;

    public ContentCacheTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "lower", "etc"));
        File.WriteAllText(Path.Combine(_root, "lower", "etc", "os-release"), "ID=test\n");
        for (var i = 0; i < 3; i++)
        {
            MakeUpper($"u{i}", seed: i);
        }
    }

    public void Dispose() => SystemTool.Run("rm", "-rf", _root);

    private string Cache => Path.Combine(_root, "cache");

    private string Upper(string name) => Path.Combine(_root, name);

    /// <summary>An upper with a 200 KiB file (frames worth a cache file), a small one and a config.</summary>
    private void MakeUpper(string name, int seed)
    {
        var dir = Upper(name);
        Directory.CreateDirectory(Path.Combine(dir, "app"));
        Directory.CreateDirectory(Path.Combine(dir, "etc"));
        var random = new Random(seed);
        var big = new byte[200 * 1024];
        random.NextBytes(big);
        // Half text so that it compresses, half noise so that its frame is not trivial.
        for (var i = 0; i < big.Length / 2; i++)
        {
            big[i] = (byte)('a' + (i * 7 % 26));
        }

        File.WriteAllBytes(Path.Combine(dir, "app", "data.bin"), big);
        File.WriteAllText(Path.Combine(dir, "app", "small.txt"), $"small {seed}\n");
        File.WriteAllText(Path.Combine(dir, "etc", "app.conf"), $"port={8000 + seed}\n");
    }

    private string Jobs(params string[] uppers)
    {
        var path = Path.Combine(_root, $"jobs-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(uppers.Select((u, i) => new Dictionary<string, string>
        {
            ["id"] = $"job{i}",
            ["upper"] = Upper(u),
            ["lower"] = Path.Combine(_root, "lower"),
        })));
        return path;
    }

    private static string[] Export(string jobs, string layout, string compression, params string[] extra) =>
        ["export", "--jobs", jobs, "--oci-layout", layout, "--compression", compression, "--created", "none", "--progress", "plain", .. extra];

    private static CliRunner.Result Succeeds(params string[] args)
    {
        var result = CliRunner.Run(args);
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.StdErr}");
        return result;
    }

    private static List<JsonElement> Snapshots(string report)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        return json.RootElement.GetProperty("snapshots").EnumerateArray().Select(e => e.Clone()).ToList();
    }

    private static bool Hit(JsonElement snapshot) => snapshot.TryGetProperty("cache", out var c) && c.GetString() == "hit";

    private string Layout(string name) => Path.Combine(_root, name);

    [RootWithToolsFact("strace")]
    public void A_second_export_with_the_cache_should_open_no_snapshot_file_and_write_the_same_layout()
    {
        var jobs = Jobs("u0", "u1", "u2");
        Succeeds(Export(jobs, Layout("plain"), "zstd"));
        Succeeds(Export(jobs, Layout("cold"), "zstd", "--cache", Cache, "--report", Path.Combine(_root, "cold.json")));
        Assert.DoesNotContain(Snapshots(Path.Combine(_root, "cold.json")), Hit);

        var warmReport = Path.Combine(_root, "warm.json");
        var args = CliRunner.CommandLineOf(Export(jobs, Layout("warm"), "zstd", "--cache", Cache, "--report", warmReport));
        var (result, calls) = Strace.Run("openat,openat2,open", args[0], [.. args.Skip(1)]);
        Assert.True(result.ExitCode == 0, result.StdErr);

        var warm = Snapshots(warmReport);
        Assert.All(warm, s => Assert.True(Hit(s), s.ToString()));
        Assert.All(warm, s => Assert.Equal(0, s.GetProperty("bytesIn").GetInt64()));
        string[] files = ["data.bin", "small.txt", "app.conf", "os-release"];
        Assert.DoesNotContain(calls, c => !c.Contains("O_DIRECTORY", StringComparison.Ordinal) && files.Any(f => c.Contains("/" + f + "\"", StringComparison.Ordinal)));
        // Layer, config and manifest alike are linked from the cache: no blob file is created.
        var blobs = Path.Combine(Layout("warm"), "blobs", "sha256") + "/";
        Assert.DoesNotContain(calls, c => c.Contains(blobs, StringComparison.Ordinal) && c.Contains("O_CREAT", StringComparison.Ordinal));
        Assert.Contains("(from --cache)", result.StdErr, StringComparison.Ordinal);
        LayoutBytes.AssertEqual(Layout("plain"), Layout("cold"));
        LayoutBytes.AssertEqual(Layout("plain"), Layout("warm"));
    }

    [Fact]
    public void A_snapshot_changed_in_any_way_should_be_exported_again_and_the_rest_taken_from_the_cache()
    {
        var jobs = Jobs("u0", "u1", "u2");
        Succeeds(Export(jobs, Layout("cold"), "gzip", "--cache", Cache));

        // u0: the same number of bytes rewritten, its mtime set back: only ctime and the data tell.
        var data = Path.Combine(Upper("u0"), "app", "data.bin");
        var before = File.GetLastWriteTimeUtc(data);
        var bytes = File.ReadAllBytes(data);
        bytes[10] ^= 0xff;
        File.WriteAllBytes(data, bytes);
        File.SetLastWriteTimeUtc(data, before);
        // u1: a mode changed, nothing else.
        File.SetUnixFileMode(Path.Combine(Upper("u1"), "etc", "app.conf"), UnixFileMode.UserRead);

        var report = Path.Combine(_root, "after.json");
        Succeeds(Export(jobs, Layout("after"), "gzip", "--cache", Cache, "--report", report));
        var after = Snapshots(report);
        Assert.False(Hit(after[0]));
        Assert.False(Hit(after[1]));
        Assert.True(Hit(after[2]));

        Succeeds(Export(jobs, Layout("plain"), "gzip"));
        LayoutBytes.AssertEqual(Layout("plain"), Layout("after"));
    }

    [Fact]
    public void Settled_uppers_should_be_printed_from_their_kept_trees_and_still_see_every_change()
    {
        // Trees are kept only for uppers whose directories have been still for two seconds.
        Thread.Sleep(2500);
        var jobs = Jobs("u0", "u1", "u2");
        Succeeds(Export(jobs, Layout("cold"), "zstd", "--cache", Cache));
        Assert.Equal(3, Directory.GetFiles(Path.Combine(Cache, ".paralleldiff", "trees")).Length);

        // u0 untouched; u1: a file rewritten in place (its directory unchanged); u2: a name added.
        File.WriteAllText(Path.Combine(Upper("u1"), "etc", "app.conf"), "port=9\n");
        File.WriteAllText(Path.Combine(Upper("u2"), "app", "added.txt"), "new\n");

        var report = Path.Combine(_root, "after.json");
        Succeeds(Export(jobs, Layout("after"), "zstd", "--cache", Cache, "--report", report));
        var after = Snapshots(report);
        Assert.True(Hit(after[0]));
        Assert.False(Hit(after[1]));
        Assert.False(Hit(after[2]));
        Succeeds(Export(jobs, Layout("plain"), "zstd"));
        LayoutBytes.AssertEqual(Layout("plain"), Layout("after"));
    }

    [Fact]
    public void A_snapshot_whose_lower_changed_where_its_export_looked_should_be_exported_again()
    {
        var jobs = Jobs("u0");
        Succeeds(Export(jobs, Layout("cold"), "zstd", "--cache", Cache));
        // The overlay differ looked up etc/app.conf below the upper's: a name added there is a change.
        File.WriteAllText(Path.Combine(_root, "lower", "etc", "app.conf"), "port=1\n");

        var report = Path.Combine(_root, "after.json");
        Succeeds(Export(jobs, Layout("after"), "zstd", "--cache", Cache, "--report", report));
        Assert.False(Hit(Snapshots(report)[0]));
        Succeeds(Export(jobs, Layout("plain"), "zstd"));
        LayoutBytes.AssertEqual(Layout("plain"), Layout("after"));
    }

    [Fact]
    public void A_damaged_cache_blob_should_be_named_and_the_layer_exported_again()
    {
        var jobs = Jobs("u0");
        var coldReport = Path.Combine(_root, "cold.json");
        Succeeds(Export(jobs, Layout("cold"), "zstd", "--cache", Cache, "--report", coldReport));
        Succeeds(Export(jobs, Layout("plain"), "zstd"));

        // The cache's layer blob (it keeps the image's config and manifest too) may be a link to the
        // cold layout's: a new file in its place, one byte off.
        var digest = Snapshots(coldReport)[0].GetProperty("descriptor").GetProperty("digest").GetString()!;
        var blob = Path.Combine(Cache, "blobs", "sha256", digest["sha256:".Length..]);
        var bytes = File.ReadAllBytes(blob);
        bytes[^1] ^= 0x01;
        File.Delete(blob);
        File.WriteAllBytes(blob, bytes);

        var report = Path.Combine(_root, "after.json");
        var result = Succeeds(Export(jobs, Layout("after"), "zstd", "--cache", Cache, "--report", report));
        // Said once, though the cache is asked before any layer is written and again by the writing pass.
        Assert.Single(result.StdErr.Split('\n'), line => line.Contains("damaged", StringComparison.Ordinal));
        Assert.False(Hit(Snapshots(report)[0]));
        LayoutBytes.AssertEqual(Layout("plain"), Layout("after"));
    }

    [Theory]
    [InlineData("zstd:chunked")]
    [InlineData("estargz")]
    public void Ten_copies_in_one_export_should_give_the_same_bytes_with_the_frame_cache_as_without(string compression)
    {
        for (var i = 3; i < 10; i++)
        {
            MakeUpper($"u{i}", seed: 0);
        }

        var jobs = Jobs([.. Enumerable.Range(0, 10).Select(i => i < 3 ? "u0" : $"u{i}")]);
        var noCache = Path.Combine(_root, "no-cache.conf");
        File.WriteAllText(noCache, "paralleldiff.cache.memory = 0\n");
        Succeeds(Export(jobs, Layout("without"), compression, "--config", noCache));
        Succeeds(Export(jobs, Layout("with"), compression));
        LayoutBytes.AssertEqual(Layout("without"), Layout("with"));
    }

    [Theory]
    [InlineData("zstd:chunked")]
    [InlineData("estargz")]
    public void Copies_whose_frames_outgrow_cache_memory_should_give_the_same_bytes_from_the_spill_file(string compression)
    {
        MakeUpper("u3", seed: 0);
        var jobs = Jobs("u0", "u3", "u0");
        var noCache = Path.Combine(_root, "no-cache.conf");
        File.WriteAllText(noCache, "paralleldiff.cache.memory = 0\n");
        // 4 KiB of memory: nearly every frame of the later copies comes back from the spill file.
        var small = Path.Combine(_root, "small-memory.conf");
        File.WriteAllText(small, "paralleldiff.cache.memory = 4 KiB\n");
        Succeeds(Export(jobs, Layout("without"), compression, "--config", noCache));
        var spilled = Succeeds(Export(jobs, Layout("spilled"), compression, "--config", small));
        Assert.DoesNotContain("not all kept", spilled.StdErr, StringComparison.Ordinal);
        LayoutBytes.AssertEqual(Layout("without"), Layout("spilled"));
    }

    [Theory]
    [InlineData("zstd:chunked")]
    [InlineData("estargz")]
    public void Frames_kept_in_the_cache_should_be_copied_into_a_later_export_of_a_changed_snapshot(string compression)
    {
        var jobs = Jobs("u0");
        Succeeds(Export(jobs, Layout("cold"), compression, "--cache", Cache));
        var frames = Directory.GetFiles(Path.Combine(Cache, "frames"), "*", SearchOption.AllDirectories);
        Assert.NotEmpty(frames);
        var old = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        foreach (var frame in frames)
        {
            File.SetLastWriteTimeUtc(frame, old);
        }

        // A new file: the snapshot is not the one cached, but data.bin's frames are.
        File.WriteAllText(Path.Combine(Upper("u0"), "app", "new.txt"), "new\n");
        var report = Path.Combine(_root, "after.json");
        Succeeds(Export(jobs, Layout("after"), compression, "--cache", Cache, "--report", report));
        Assert.False(Hit(Snapshots(report)[0]));
        Assert.All(frames, f => Assert.True(File.GetLastWriteTimeUtc(f) > old, $"{f} was not read (its mtime moves on a hit)"));

        Succeeds(Export(jobs, Layout("plain"), compression));
        LayoutBytes.AssertEqual(Layout("plain"), Layout("after"));
    }

    [Fact]
    public void A_damaged_frame_should_be_removed_and_compressed_again()
    {
        var jobs = Jobs("u0");
        Succeeds(Export(jobs, Layout("cold"), "zstd:chunked", "--cache", Cache));
        var frame = Directory.GetFiles(Path.Combine(Cache, "frames"), "*", SearchOption.AllDirectories).First();
        var bytes = File.ReadAllBytes(frame);
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(frame, bytes);
        File.AppendAllText(Path.Combine(Upper("u0"), "app", "small.txt"), "more\n");

        Succeeds(Export(jobs, Layout("after"), "zstd:chunked", "--cache", Cache));
        Succeeds(Export(jobs, Layout("plain"), "zstd:chunked"));
        LayoutBytes.AssertEqual(Layout("plain"), Layout("after"));
        // Rewritten whole by the export that found it damaged.
        Assert.False(File.ReadAllBytes(frame).AsSpan().SequenceEqual(bytes));
    }

    [Fact]
    public async Task Two_exports_sharing_one_cache_at_once_should_both_write_the_same_layout()
    {
        for (var i = 3; i < 12; i++)
        {
            MakeUpper($"u{i}", seed: i);
        }

        var jobs = Jobs([.. Enumerable.Range(0, 12).Select(i => $"u{i}")]);
        Succeeds(Export(jobs, Layout("plain"), "zstd:chunked"));
        var first = CliRunner.Start(Export(jobs, Layout("a"), "zstd:chunked", "--cache", Cache));
        var second = CliRunner.Start(Export(jobs, Layout("b"), "zstd:chunked", "--cache", Cache));
        var firstError = first.StandardError.ReadToEndAsync();
        var secondError = second.StandardError.ReadToEndAsync();
        await first.WaitForExitAsync();
        await second.WaitForExitAsync();
        Assert.True(first.ExitCode == 0, await firstError);
        Assert.True(second.ExitCode == 0, await secondError);
        LayoutBytes.AssertEqual(Layout("plain"), Layout("a"));
        LayoutBytes.AssertEqual(Layout("plain"), Layout("b"));

        // And the cache they filled together serves a third.
        var report = Path.Combine(_root, "third.json");
        Succeeds(Export(jobs, Layout("c"), "zstd:chunked", "--cache", Cache, "--report", report));
        Assert.All(Snapshots(report), s => Assert.True(Hit(s)));
        LayoutBytes.AssertEqual(Layout("plain"), Layout("c"));
    }

    [Fact]
    public void A_cache_over_its_size_should_lose_its_least_recently_used_entries()
    {
        var jobs = Jobs("u0", "u1", "u2");
        var result = Succeeds(Export(jobs, Layout("cold"), "zstd:chunked", "--cache", Cache, "--cache-size", "300KiB"));
        Assert.Contains("least recently used entries removed", result.StdErr, StringComparison.Ordinal);
        var kept = Directory.GetFiles(Path.Combine(Cache, "blobs", "sha256")).Concat(Directory.GetFiles(Path.Combine(Cache, "frames"), "*", SearchOption.AllDirectories));
        Assert.InRange(kept.Sum(f => new FileInfo(f).Length), 0, 300 * 1024);

        // What is gone is exported again, what is left is taken; the bytes are the same either way.
        Succeeds(Export(jobs, Layout("after"), "zstd:chunked", "--cache", Cache, "--cache-size", "300KiB"));
        LayoutBytes.AssertEqual(Layout("cold"), Layout("after"));
    }

    [Fact]
    public void A_run_that_adds_nothing_should_not_walk_the_cache_unless_its_cap_was_lowered()
    {
        var jobs = Jobs("u0", "u1", "u2");
        Succeeds(Export(jobs, Layout("cold"), "zstd:chunked", "--cache", Cache));
        var entries = Directory.GetFiles(Path.Combine(Cache, "blobs", "sha256")).Concat(Directory.GetFiles(Path.Combine(Cache, "frames"), "*", SearchOption.AllDirectories)).ToList();
        Assert.Equal(entries.Sum(f => new FileInfo(f).Length).ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText(Path.Combine(Cache, ".paralleldiff", "size")).Trim());

        // A writer's temporary file a day old is what any walk of the cache removes: it shows whether a run walked.
        var abandoned = Path.Combine(Cache, "blobs", "sha256", ".abandoned.tmp-000000000000");
        File.WriteAllText(abandoned, "left by a killed writer");
        File.SetLastWriteTimeUtc(abandoned, DateTime.UtcNow.AddDays(-2));

        var report = Path.Combine(_root, "warm.json");
        Succeeds(Export(jobs, Layout("warm"), "zstd:chunked", "--cache", Cache, "--report", report));
        Assert.All(Snapshots(report), s => Assert.True(Hit(s)));
        Assert.True(File.Exists(abandoned), "a run that added nothing walked the cache");

        // A cap now below what the record says is applied at once, by a walk.
        var lowered = Succeeds(Export(jobs, Layout("lowered"), "zstd:chunked", "--cache", Cache, "--cache-size", "300KiB"));
        Assert.Contains("least recently used entries removed", lowered.StdErr, StringComparison.Ordinal);
        Assert.False(File.Exists(abandoned), "a lowered cap did not walk the cache");
        LayoutBytes.AssertEqual(Layout("cold"), Layout("warm"));
        LayoutBytes.AssertEqual(Layout("cold"), Layout("lowered"));
    }

    [Registry.RegistryFact]
    public void A_layer_taken_from_the_cache_should_still_be_pushed_with_its_image()
    {
        using var registry = Registry.LocalRegistry.Start();
        var jobs = Jobs("u0", "u1");
        Succeeds(Export(jobs, Layout("cold"), "zstd:chunked", "--cache", Cache, "--push", $"{registry.Address}/cache/cold"));

        // Warm: no layer is written, so none streams to the registry; each goes up from the layout.
        var report = Path.Combine(_root, "warm.json");
        Succeeds(Export(jobs, Layout("warm"), "zstd:chunked", "--cache", Cache, "--push", $"{registry.Address}/cache/warm", "--report", report));
        var warm = Snapshots(report);
        Assert.All(warm, s => Assert.True(Hit(s), s.ToString()));
        foreach (var snapshot in warm)
        {
            var id = snapshot.GetProperty("id").GetString()!;
            var pushed = snapshot.GetProperty("push").GetProperty("manifest").GetString();
            Assert.Equal(snapshot.GetProperty("manifest").GetProperty("digest").GetString(), pushed);
            var raw = SystemTool.Check("skopeo", "inspect", "--raw", "--tls-verify=false", $"docker://{registry.Address}/cache/warm:{id}");
            Assert.Equal(pushed, "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(raw))));
        }

        LayoutBytes.AssertEqual(Layout("cold"), Layout("warm"));
    }

    [Fact]
    public void The_cache_options_should_be_refused_where_they_cannot_work()
    {
        var jobs = Jobs("u0");
        var noLayout = CliRunner.Run("export", "--jobs", jobs, "--push", "127.0.0.1:1/x", "--journal", Path.Combine(_root, "j.jsonl"), "--cache", Cache);
        Assert.Equal(2, noLayout.ExitCode);
        Assert.Contains("--cache", noLayout.StdErr, StringComparison.Ordinal);

        var inside = CliRunner.Run(Export(jobs, Layout("l"), "zstd", "--cache", Path.Combine(Upper("u0"), "cache")));
        Assert.Equal(1, inside.ExitCode);
        Assert.Contains("--cache", inside.StdErr, StringComparison.Ordinal);
        Assert.Contains("inside the snapshot", inside.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(Upper("u0"), "cache")));

        var sizeAlone = CliRunner.Run(Export(jobs, Layout("l"), "zstd", "--cache-size", "1GiB"));
        Assert.Equal(2, sizeAlone.ExitCode);
        Assert.Contains("--cache-size", sizeAlone.StdErr, StringComparison.Ordinal);
    }
}
