using System.Diagnostics;
using System.Text;
using BenchmarkDotNet.Attributes;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Micro.Benchmarks;

/// <summary>
/// The per-entry work of the overlay differ on a small temp snapshot: OverlayDiffer.Classify over
/// every upper entry, DirentComparer.Same over the entries the base also has, and the whole walk.
/// The upper holds new files, modified and unchanged copy-ups, and (as root) whiteouts and an
/// opaque dir, so each branch of the classifier is taken.
/// </summary>
public class ClassifierBenchmarks
{
    private static readonly DateTime Mtime = new(2023, 11, 14, 22, 13, 20, 123, DateTimeKind.Utc);
    private readonly List<(byte[] Path, FileStatus Status)> _upperEntries = [];
    private readonly List<(byte[] Path, FileStatus Before, FileStatus After)> _shared = [];
    private readonly CountingSink _sink = new();
    private string _root = "";
    private SnapshotDiff _snapshot = null!;
    private OverlayDiffer _differ = null!;
    private DirentComparer _comparer = null!;

    [GlobalSetup]
    public void Setup()
    {
        _root = Directory.CreateTempSubdirectory("paralleldiff-micro-").FullName;
        var lower = Path.Combine(_root, "lower");
        var upper = Path.Combine(_root, "upper");
        for (var i = 0; i < 40; i++)
        {
            Write(lower, $"etc/conf{i:00}", $"key{i} = value {i}\n");
            Write(lower, $"usr/share/doc/pkg{i % 20:00}/file{i:00}", new string('d', 100 + i));
            Write(lower, $"opt/gone/file{i:00}", "gone\n");
        }

        for (var i = 0; i < 20; i++)
        {
            // etc: half modified (other size), half copied up unchanged (same size and mtime).
            Write(upper, $"etc/conf{i:00}", i % 2 == 0 ? $"key{i} = changed {i}\n" : $"key{i} = value {i}\n");
            Write(upper, $"etc/new{i:00}", $"new {i}\n");
            Write(upper, $"usr/local/lib/pkg{i:00}/lib.so", new string('x', 1000 + i));
        }

        if (Environment.IsPrivilegedProcess)
        {
            Directory.CreateDirectory(Path.Combine(upper, "usr/share/doc"));
            for (var i = 0; i < 10; i++)
            {
                Run("mknod", Path.Combine(upper, "usr/share/doc", $"pkg{i:00}"), "c", "0", "0");
            }

            Write(upper, "opt/gone/only", "only this\n");
            Run("setfattr", "-n", "trusted.overlay.opaque", "-v", "y", Path.Combine(upper, "opt/gone"));
        }

        _snapshot = SnapshotDiff.Open(Snapshot.OfOverlay(upper, [lower]));
        _differ = _snapshot.OverlayDiffer(DiffOptions.Default);
        _comparer = new DirentComparer(exact: false, sameInodeMeansSame: true);
        Collect(_snapshot.Upper!, []);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_root, recursive: true);

    [Benchmark]
    public int Classify()
    {
        foreach (var (path, status) in _upperEntries)
        {
            _differ.Classify(path, status, _sink);
        }

        return _sink.Count;
    }

    [Benchmark]
    public int SameDirent()
    {
        var same = 0;
        foreach (var (path, before, after) in _shared)
        {
            same += _comparer.Same(_snapshot.Base, before, _snapshot.New, after, path) ? 1 : 0;
        }

        return same;
    }

    [Benchmark]
    public int WalkUpper()
    {
        _differ.Run(_sink, CancellationToken.None);
        return _sink.Count;
    }

    private void Collect(DirectoryTree upper, byte[] directory)
    {
        foreach (var entry in upper.List(directory))
        {
            var path = PathBytes.Join(directory, entry.Name);
            _upperEntries.Add((path, entry.Status));
            if (!entry.Status.IsWhiteout && _snapshot.Base.TryLstat(path, out var before, out _))
            {
                _shared.Add((path, before, entry.Status));
            }

            if (entry.Status.IsDirectory)
            {
                Collect(upper, path);
            }
        }
    }

    private static void Write(string root, string relative, string text)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text, Encoding.ASCII);
        File.SetLastWriteTimeUtc(path, Mtime);
    }

    private static void Run(string tool, params string[] args)
    {
        using var process = Process.Start(tool, args);
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)}: exit {process.ExitCode}");
        }
    }

    private sealed class CountingSink : IChangeSink
    {
        public int Count { get; private set; }

        public void Handle(Change change) => Count++;
    }
}
