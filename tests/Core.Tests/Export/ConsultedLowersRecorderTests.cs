using System.Text;
using ParallelDiff.Core.Export;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Export;

/// <summary>
/// The recorder behind a --cache key's consulted lowers: every call on a lower path records it
/// and its ancestors, printed before the call goes on; a listing records what it returns; upper
/// paths pass unrecorded; a change after the first print, or a read outside the roots, fails the
/// finish; and many threads at once record the same paths as one.
/// </summary>
public sealed class ConsultedLowersRecorderTests : IDisposable
{
    private readonly ScratchDirectory _dir = ScratchDirectory.Create("pd-consulted-");

    public ConsultedLowersRecorderTests()
    {
        Directory.CreateDirectory(At(Lower, "a/b"));
        Directory.CreateDirectory(At(Lower, "a/d"));
        File.WriteAllText(At(Lower, "a/b/c"), "c\n");
        File.WriteAllText(At(Lower, "a/d/d1"), "1\n");
        File.WriteAllText(At(Lower, "a/d/d2"), "2\n");
        File.CreateSymbolicLink(At(Lower, "a/link"), "b/c");
        Directory.CreateDirectory(Upper);
        File.WriteAllText(At(Upper, "file"), "upper\n");
    }

    private string Lower => Path.Combine(_dir.Path, "lower");

    private string Upper => Path.Combine(_dir.Path, "upper");

    public void Dispose() => _dir.Dispose();

    private static string At(string root, string relative) => Path.Combine(root, relative);

    private static byte[] B(string path) => PathBytes.FromString(path);

    private ConsultedLowersRecorder Recorder(IFileSystem? inner = null) => new(inner ?? LinuxFileSystem.Instance, [B(Lower)], [B(Upper)]);

    private static ConsultedLowers Finished(ConsultedLowersRecorder recorder)
    {
        var consulted = recorder.Finish(out var why);
        Assert.True(consulted is not null, why);
        return consulted;
    }

    private static List<string> Paths(ConsultedLowers consulted) => [.. consulted.Lowers.Single().Paths.Select(p => Encoding.UTF8.GetString(p))];

    [Fact]
    public void A_path_should_be_recorded_with_every_ancestor_up_to_its_lower_root()
    {
        var recorder = Recorder();
        Assert.True(recorder.TryLstat(B(At(Lower, "a/b/c")), out _, out _));
        Assert.Equal(["", "a", "a/b", "a/b/c"], Paths(Finished(recorder)));
    }

    [Fact]
    public void An_absent_path_should_be_recorded_and_its_appearing_should_count_as_a_change()
    {
        var recorder = Recorder();
        Assert.False(recorder.TryLstat(B(At(Lower, "a/new/deeper")), out _, out var errno));
        Assert.Equal(Errno.ENOENT, errno);
        var consulted = Finished(recorder);
        Assert.Equal(["", "a", "a/new", "a/new/deeper"], Paths(consulted));
        Assert.True(consulted.StillHolds(LinuxFileSystem.Instance));

        Directory.CreateDirectory(At(Lower, "a/new"));
        Assert.False(consulted.StillHolds(LinuxFileSystem.Instance));
    }

    [Fact]
    public void A_runs_lower_prints_should_answer_from_its_first_look_and_the_next_run_should_look_again()
    {
        var recorder = Recorder();
        Assert.True(recorder.TryLstat(B(At(Lower, "a/b/c")), out _, out _));
        var consulted = Finished(recorder);
        var run = new LowerPrints(LinuxFileSystem.Instance);
        Assert.True(consulted.StillHolds(run));

        File.AppendAllText(At(Lower, "a/b/c"), "changed\n");
        Assert.True(consulted.StillHolds(run));
        Assert.False(consulted.StillHolds(new LowerPrints(LinuxFileSystem.Instance)));
        Assert.False(consulted.StillHolds(LinuxFileSystem.Instance));
    }

    [Fact]
    public void Upper_paths_should_pass_unrecorded()
    {
        var recorder = Recorder();
        Assert.True(recorder.TryLstat(B(At(Upper, "file")), out _, out _));
        recorder.OpenRead(B(At(Upper, "file"))).Dispose();
        Assert.Single(recorder.ListDirectory(B(Upper), withXattrNames: true));
        Assert.Equal(0, recorder.Count);
        Assert.Empty(Paths(Finished(recorder)));
    }

    [Fact]
    public void A_listing_should_record_each_entry_it_returns()
    {
        var listing = Recorder();
        Assert.Equal(2, listing.ListDirectory(B(At(Lower, "a/d")), withXattrNames: false).Count);
        Assert.Equal(["", "a", "a/d", "a/d/d1", "a/d/d2"], Paths(Finished(listing)));

        var names = Recorder();
        Assert.Equal(2, names.ReadDirectory(B(At(Lower, "a/d"))).Count);
        Assert.Equal(["", "a", "a/d", "a/d/d1", "a/d/d2"], Paths(Finished(names)));
    }

    public static TheoryData<string, string> Calls() => new()
    {
        { "lstat", "a/b/c" },
        { "getxattr", "a/b/c" },
        { "listxattr", "a/b" },
        { "readlink", "a/link" },
        { "open", "a/b/c" },
        { "open in last directory", "a/d/d2" },
    };

    [Theory]
    [MemberData(nameof(Calls))]
    public void Every_call_should_record_its_path(string call, string relative)
    {
        var recorder = Recorder();
        var path = B(At(Lower, relative));
        switch (call)
        {
            case "lstat": recorder.TryLstat(path, out _, out _); break;
            case "getxattr": Assert.Null(recorder.GetXattr(path, "user.none")); break;
            case "listxattr": Assert.Empty(recorder.ListXattrs(path)); break;
            case "readlink": Assert.Equal("b/c"u8.ToArray(), recorder.ReadLink(path)); break;
            case "open": recorder.OpenRead(path).Dispose(); break;
            default:
                using (var last = new LastDirectory())
                {
                    recorder.OpenRead(path, last).Dispose();
                }

                break;
        }

        Assert.True(recorder.Recorded(path), $"{call} did not record {relative}");
        Assert.Equal(relative, Paths(Finished(recorder))[^1]);
    }

    [Fact]
    public void A_path_should_be_printed_before_the_first_call_on_it_goes_on_and_only_once()
    {
        var log = new CallLog();
        var recorder = Recorder(log);
        var file = B(At(Lower, "a/b/c"));
        recorder.OpenRead(file).Dispose();
        recorder.OpenRead(file).Dispose();

        var open = log.Calls.IndexOf($"open {At(Lower, "a/b/c")}");
        foreach (var printed in new[] { Lower, At(Lower, "a"), At(Lower, "a/b"), At(Lower, "a/b/c") })
        {
            var lstat = log.Calls.IndexOf($"lstat {printed}");
            Assert.InRange(lstat, 0, open - 1);
            Assert.Equal(lstat, log.Calls.LastIndexOf($"lstat {printed}"));
        }

        Assert.Equal(2, log.Calls.Count(c => c.StartsWith("open ", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_path_changed_after_it_was_read_should_fail_the_finish_and_be_named()
    {
        var recorder = Recorder();
        recorder.OpenRead(B(At(Lower, "a/b/c"))).Dispose();
        File.SetUnixFileMode(At(Lower, "a/b/c"), UnixFileMode.UserRead);
        Assert.Null(recorder.Finish(out var why));
        Assert.Contains("a/b/c changed while it was read", why, StringComparison.Ordinal);
    }

    [Fact]
    public void An_entry_changed_after_its_listing_should_fail_the_finish()
    {
        var recorder = Recorder();
        recorder.ListDirectory(B(At(Lower, "a/d")), withXattrNames: true);
        File.SetLastWriteTimeUtc(At(Lower, "a/d/d1"), new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        Assert.Null(recorder.Finish(out var why));
        Assert.Contains("a/d/d1", why, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("outside/x")]
    [InlineData("lower/a/../../outside")]
    [InlineData("lower/a//b")]
    public void A_read_outside_every_root_should_fail_the_finish(string relative)
    {
        var recorder = Recorder();
        recorder.TryLstat(B(At(_dir.Path, relative)), out _, out _);
        Assert.Null(recorder.Finish(out var why));
        Assert.Contains("not under the snapshot's directories", why, StringComparison.Ordinal);
    }

    [Fact]
    public void Many_threads_at_once_should_record_each_path_once_as_one_thread_would()
    {
        var files = new List<byte[]>();
        for (var i = 0; i < 8; i++)
        {
            Directory.CreateDirectory(At(Lower, $"p{i}"));
            for (var j = 0; j < 50; j++)
            {
                File.WriteAllText(At(Lower, $"p{i}/f{j}"), $"{i} {j}\n");
                files.Add(B(At(Lower, $"p{i}/f{j}")));
            }
        }

        var parallel = Recorder();
        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 16 }, worker =>
        {
            // Each worker in its own order, so that first records race.
            foreach (var file in files.OrderBy(f => HashCode.Combine(worker, f.Length, f[^1], f[^3])))
            {
                parallel.TryLstat(file, out _, out _);
                parallel.OpenRead(file).Dispose();
                parallel.ListDirectory(PathBytes.Parent(file).ToArray(), withXattrNames: true);
            }
        });

        var sequential = Recorder();
        foreach (var file in files)
        {
            sequential.TryLstat(file, out _, out _);
        }

        var expected = Finished(sequential);
        var actual = Finished(parallel);
        Assert.Equal(1 + 8 + 400, actual.Count);
        Assert.Equal(expected.Digest, actual.Digest);
    }

    [Fact]
    public void Consulted_paths_should_keep_raw_names_through_their_record()
    {
        byte[] notUtf8 = [(byte)'n', 0xff, 0xfe];
        var name = PathBytes.Join(B(Lower), notUtf8);
        CreateFile(name);
        var recorder = Recorder();
        Assert.True(recorder.TryLstat(name, out _, out _));
        var consulted = Finished(recorder);

        using var buffer = new MemoryStream();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            consulted.WriteTo(json);
        }

        using var document = System.Text.Json.JsonDocument.Parse(buffer.ToArray());
        var read = ConsultedLowers.FromJson(document.RootElement);
        Assert.Equal(consulted.Digest, read.Digest);
        Assert.Equal(B(Lower), read.Lowers.Single().Root);
        Assert.Equal([[], notUtf8], read.Lowers.Single().Paths);
        Assert.True(read.StillHolds(LinuxFileSystem.Instance));
    }

    [Theory]
    [InlineData("""{"digest": "sha256:00", "lowers": [{"root": "L3Q=", "paths": "not base64!"}]}""")]
    [InlineData("""{"digest": "sha256:00", "lowers": [{"root": "L3Q="}]}""")]
    [InlineData("""{"lowers": []}""")]
    public void A_torn_or_foreign_list_should_not_read_as_consulted_paths(string json)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);
        Assert.Throws<InvalidDataException>(() => ConsultedLowers.FromJson(document.RootElement));
    }

    [Fact]
    public void A_list_with_a_path_left_out_should_not_hold_under_its_digest()
    {
        var recorder = Recorder();
        recorder.OpenRead(B(At(Lower, "a/b/c"))).Dispose();
        var consulted = Finished(recorder);
        Assert.True(consulted.StillHolds(LinuxFileSystem.Instance));

        // What a damaged list that still decodes would be: the digest covers every path and the count.
        var lower = consulted.Lowers.Single();
        var shorter = new ConsultedLowers([lower with { Paths = [.. lower.Paths.Take(lower.Paths.Count - 1)] }], consulted.Digest);
        Assert.False(shorter.StillHolds(LinuxFileSystem.Instance));
    }

    [Fact]
    public void Records_that_consulted_the_same_paths_should_read_back_as_one_object_and_others_as_their_own()
    {
        var recorder = Recorder();
        recorder.OpenRead(B(At(Lower, "a/b/c"))).Dispose();
        var consulted = Finished(recorder);
        var other = Recorder();
        Assert.False(other.TryLstat(B(At(Lower, "a/missing")), out _, out _));
        var otherConsulted = Finished(other);

        var records = new StoredLayers(Core.Oci.OciLayout.Open(At(_dir.Path, "layout")));
        var report = new SnapshotReport("s", SnapshotStatus.Done)
        {
            Layer = new Core.Layers.LayerDescriptor("application/vnd.oci.image.layer.v1.tar+zstd", "sha256:" + new string('a', 64), 1, "sha256:" + new string('b', 64)),
        };
        records.Record("sha256:" + new string('1', 64), report, durable: false, consulted);
        records.Record("sha256:" + new string('2', 64), report, durable: false, consulted);
        records.Record("sha256:" + new string('3', 64), report, durable: false, otherConsulted);

        var first = records.Read("sha256:" + new string('1', 64), out _)!.Consulted!;
        var second = records.Read("sha256:" + new string('2', 64), out _)!.Consulted!;
        var third = records.Read("sha256:" + new string('3', 64), out _)!.Consulted!;
        Assert.Same(first, second);
        Assert.NotSame(first, third);
        Assert.Equal(["", "a", "a/b", "a/b/c"], Paths(first));
        Assert.Equal(["", "a", "a/missing"], Paths(third));
        Assert.Equal(consulted.Digest, first.Digest);
        Assert.Equal(otherConsulted.Digest, third.Digest);

        // Shared, each still answers for its own paths.
        var run = new LowerPrints(LinuxFileSystem.Instance);
        Assert.True(first.StillHolds(run));
        Assert.True(third.StillHolds(run));
        Directory.CreateDirectory(At(Lower, "a/missing"));
        Assert.False(third.StillHolds(new LowerPrints(LinuxFileSystem.Instance)));
        // "a" gained a name, which the first set consulted too.
        Assert.False(first.StillHolds(new LowerPrints(LinuxFileSystem.Instance)));
    }

    private static unsafe void CreateFile(byte[] path)
    {
        using var c = new Native.CPath(path);
        var fd = Native.LibC.OpenAt(Native.LibC.AT_FDCWD, c.Pointer, Native.LibC.O_WRONLY | Native.LibC.O_CREAT | Native.LibC.O_EXCL | Native.LibC.O_CLOEXEC, 0x1A4);
        Assert.True(fd >= 0, "create a file with a name that is not UTF-8");
        Native.LibC.Close(fd);
    }
}
