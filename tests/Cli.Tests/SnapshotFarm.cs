using System.Text.Json;

namespace ParallelDiff.Cli.Tests;

/// <summary>
/// Many small snapshots made without privileges, and the job file that lists them: every fifth
/// one is an upper over a shared lower (so the overlay differ has something to hide), the rest
/// bottom-most directories. Contents are fixed by a seed, so two farms are byte-identical.
/// </summary>
public sealed class SnapshotFarm : IDisposable
{
    public SnapshotFarm(int count, int seed = 1)
    {
        Root = Directory.CreateTempSubdirectory("pd-farm-").FullName;
        var rng = new Random(seed);
        var lower = Path.Combine(Root, "shared-lower");
        Directory.CreateDirectory(Path.Combine(lower, "etc"));
        File.WriteAllText(Path.Combine(lower, "etc", "os-release"), "ID=farm\n");
        var jobs = new List<Dictionary<string, object>>();
        for (var i = 0; i < count; i++)
        {
            var id = $"snap-{i:000}";
            var dir = Path.Combine(Root, id);
            Directory.CreateDirectory(Path.Combine(dir, "etc"));
            Directory.CreateDirectory(Path.Combine(dir, "data"));
            File.WriteAllText(Path.Combine(dir, "etc", "hostname"), id + "\n");
            for (var f = 0; f < 8; f++)
            {
                var bytes = new byte[rng.Next(1_000, 40_000)];
                rng.NextBytes(bytes.AsSpan(0, bytes.Length / 3));
                File.WriteAllBytes(Path.Combine(dir, "data", $"f{f}"), bytes);
            }

            var job = new Dictionary<string, object> { ["id"] = id, ["upper"] = id };
            if (i % 5 == 0)
            {
                job["lower"] = "shared-lower";
            }

            jobs.Add(job);
        }

        Ids = jobs.Select(j => (string)j["id"]).ToList();
        JobsFile = Path.Combine(Root, "jobs.json");
        WriteJobs(jobs);
    }

    public string Root { get; }

    public string JobsFile { get; }

    public IReadOnlyList<string> Ids { get; }

    public string At(string name) => Path.Combine(Root, name);

    /// <summary>Rewrites the job file (e.g. with a bad job added).</summary>
    public void WriteJobs(IEnumerable<Dictionary<string, object>> jobs) => File.WriteAllText(JobsFile, JsonSerializer.Serialize(jobs));

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
