using System.Text.Json;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Tests.Support;
using ParallelDiff.Core.Tests.Vectors;
using Xunit;

namespace ParallelDiff.Cli.Tests.LazyPull;

/// <summary>
/// The consulted-lowers cache key against an oracle anyone can rerun: every golden vector and a
/// kernel-made stack (<see cref="KernelMadeLayers"/>: copy-ups, whiteouts, opaque directories) are
/// exported with --cache; then, round after round, one entry of each lower (each in turn, or a
/// sample of <see cref="SamplePerLower"/> drawn with <see cref="Seed"/>) is changed
/// (<see cref="LowerMutation"/>) and the snapshots over it are exported again, with the warm cache
/// and without any. Wherever the cached run reports a hit its layer is the one written without the
/// cache, byte for byte; and a change where the export that made the cached layer looked (a path its
/// record lists, or the same inode) misses, while one anywhere else hits.
/// </summary>
public sealed class ConsultedLowerOracleTests : IDisposable
{
    private const int SamplePerLower = 40;
    private const int Seed = 15;

    private readonly ScratchDirectory _scratch = ScratchDirectory.Create("pd-oracle-");
    private KernelMadeLayers? _stack;

    private sealed record Job(string Id, string Upper, IReadOnlyList<string> Lowers, bool UserXattr, string Differ);

    private sealed record Exported(string Digest, bool Hit);

    public void Dispose()
    {
        _stack?.Dispose();
        _scratch.Dispose();
    }

    private string At(string name) => Path.Combine(_scratch.Path, name);

    /// <param name="differ">auto (the overlay differ looks up single lower paths) or walking (it lists every lower directory).</param>
    [RootTheory]
    [InlineData("auto")]
    [InlineData("walking")]
    public void A_hit_after_any_one_lower_change_should_be_the_layer_written_without_the_cache(string differ)
    {
        var jobs = Jobs(differ);
        var cache = At("cache");
        var latest = Export(jobs, "cold", cache).ToDictionary(e => e.Key, e => e.Value.Digest);
        var targets = Targets(jobs);
        var (hits, misses) = (0, 0);
        var unknown = 0;
        for (var round = 0; round < targets.Max(t => t.Entries.Count); round++)
        {
            var changes = targets.Where(t => round < t.Entries.Count).Select(t => LowerMutation.Plan(t.Root, t.Entries[round], round)).ToList();
            var affected = jobs.Where(j => changes.Any(c => c.Root == j.Upper || j.Lowers.Contains(c.Root))).ToList();
            var records = CacheRecords.Read(cache);
            var expected = affected.ToDictionary(j => j.Id, j => ExpectedHit(j, changes, records, latest[j.Id]));
            changes.ForEach(c => c.Apply());

            var warm = Export(affected, $"warm-{round}", cache);
            var plain = Export(affected, $"plain-{round}", cache: null);
            foreach (var job in affected)
            {
                var what = $"{differ} differ, round {round} (seed {Seed}), {job.Id} after {string.Join(", ", changes.Where(c => c.Root == job.Upper || job.Lowers.Contains(c.Root)))}";
                var (cached, without) = (warm[job.Id], plain[job.Id]);
                if (cached.Hit)
                {
                    Assert.True(cached.Digest == without.Digest, $"{what}: the cache gave {cached.Digest}, the export without it {without.Digest}");
                }

                unknown += expected[job.Id] is null ? 1 : 0;
                if (expected[job.Id] is { } hit)
                {
                    Assert.True(hit == cached.Hit, $"{what}: expected a {(hit ? "hit" : "miss")}, got a {(cached.Hit ? "hit" : "miss")}");
                }

                (hits, misses) = cached.Hit ? (hits + 1, misses) : (hits, misses + 1);
                latest[job.Id] = cached.Digest;
            }

            LayoutBytes.AssertEqual(At($"plain-{round}"), At($"warm-{round}"));
        }

        // Both kinds of change, and records that tell which paths were consulted.
        Assert.True(hits > 0 && misses > 0 && unknown < (hits + misses) / 2, $"{hits} hits, {misses} misses, {unknown} without a record to expect by");
    }

    /// <summary>Every vector, and the kernel-made stack's three layers over what is below each.</summary>
    private List<Job> Jobs(string differ)
    {
        var jobs = new List<Job>();
        foreach (var name in RepoPaths.VectorNames())
        {
            var vector = VectorMaterializer.Materialize(name, At(Path.Combine("vectors", name)));
            jobs.Add(new Job(name, vector.Upper, vector.Lowers, vector.Snapshot.MergedMountOptions.Contains("userxattr"), differ));
        }

        _stack = new KernelMadeLayers();
        jobs.Add(new Job("kernel-L2", _stack.L2, [_stack.L1], false, differ));
        jobs.Add(new Job("kernel-L3", _stack.L3, [_stack.L2, _stack.L1], false, differ));
        jobs.Add(new Job("kernel-U", _stack.U, [_stack.L3, _stack.L2, _stack.L1], false, differ));
        return jobs;
    }

    /// <summary>Each lower once, with the entries to change in turn: all of them (root included), or a seeded sample.</summary>
    private static List<(string Root, List<byte[]> Entries)> Targets(List<Job> jobs)
    {
        var random = new Random(Seed);
        var targets = new List<(string, List<byte[]>)>();
        foreach (var root in jobs.SelectMany(j => j.Lowers).Distinct().Order(StringComparer.Ordinal))
        {
            var entries = new List<byte[]>();
            Walk(PathBytes.FromString(root), entries);
            targets.Add((root, entries.Count <= SamplePerLower ? entries : [.. entries.OrderBy(_ => random.Next()).Take(SamplePerLower)]));
        }

        return targets;
    }

    private static void Walk(byte[] path, List<byte[]> entries)
    {
        entries.Add(path);
        foreach (var entry in LinuxFileSystem.Instance.ListDirectory(path, withXattrNames: false).OrderBy(e => e.Name, Comparer<byte[]>.Create(PathBytes.CompareNames)))
        {
            var child = PathBytes.Join(path, entry.Name);
            if (entry.Status.IsDirectory)
            {
                Walk(child, entries);
            }
            else
            {
                entries.Add(child);
            }
        }
    }

    /// <summary>
    /// Hit or miss, from the record the job's last layer was kept under: a changed upper misses (it
    /// is printed whole); a lower change misses when it changed a path the record lists or the inode
    /// of one. Null when no single record can be told to be the job's (then only the oracle holds).
    /// </summary>
    private static bool? ExpectedHit(Job job, List<LowerMutation> changes, List<CacheRecords.Entry> records, string digest)
    {
        if (changes.Any(c => c.Root == job.Upper))
        {
            return false;
        }

        var roots = job.Lowers.Select(l => SnapshotPaths.CanonicalDirectory(l, "lower")).Distinct(ByteArrayComparer.Instance).ToList();
        var mine = records.Where(r => r.LayerDigest == digest && r.Consulted is { } c && c.Lowers.Select(l => l.Root).SequenceEqual(roots, ByteArrayComparer.Instance)).ToList();
        if (mine.Count != 1)
        {
            return null;
        }

        var consulted = mine[0].Consulted!.Lowers.SelectMany(l => l.Paths.Select(p => PathBytes.Under(l.Root, p))).ToHashSet(ByteArrayComparer.Instance);
        foreach (var change in changes.Where(c => job.Lowers.Contains(c.Root)))
        {
            if (change.Changed.Any(consulted.Contains)
                || consulted.Any(p => LinuxFileSystem.Instance.TryLstat(p, out var status, out _) && change.ChangesInode(status)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Exports the jobs into a fresh layout named <paramref name="name"/>; each job's layer digest and whether it came from the cache.</summary>
    private Dictionary<string, Exported> Export(List<Job> jobs, string name, string? cache)
    {
        var jobFile = At(name + ".jobs.json");
        File.WriteAllText(jobFile, JsonSerializer.Serialize(jobs.Select(j =>
        {
            var job = new Dictionary<string, object> { ["id"] = j.Id, ["upper"] = j.Upper, ["userxattr"] = j.UserXattr, ["differ"] = j.Differ };
            if (j.Lowers.Count > 0)
            {
                // A bottom-most snapshot has none, and the job file takes no empty list.
                job["lower"] = j.Lowers;
            }

            return job;
        })));
        var report = At(name + ".report.json");
        string[] withCache = cache is null ? [] : ["--cache", cache];
        var result = CliRunner.Run(["export", "--jobs", jobFile, "--oci-layout", At(name), "--compression", "zstd", "--created", "none", "--quiet", "--report", report, .. withCache]);
        Assert.True(result.ExitCode == 0, $"{name}: exit {result.ExitCode}: {result.StdErr}");
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        return json.RootElement.GetProperty("snapshots").EnumerateArray().ToDictionary(
            s => s.GetProperty("id").GetString()!,
            s => new Exported(
                s.GetProperty("descriptor").GetProperty("digest").GetString()!,
                s.TryGetProperty("cache", out var hit) && hit.GetString() == "hit"));
    }
}
