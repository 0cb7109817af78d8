using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace ParallelDiff.Cli.Tests.Registry;

/// <summary>
/// export --push: every job's image in the layout and at the registry, tagged with its id; after a
/// kill -9 in the middle, the same command again ends with every tag at the registry, and what the
/// first run had recorded is found there (HEAD) rather than sent again.
/// </summary>
public sealed class RegistryExportTests : IDisposable
{
    private const int Jobs = 20;
    private readonly string _root = Directory.CreateTempSubdirectory("pd-regexport-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [RegistryFact]
    public void Export_killed_in_the_middle_and_run_again_should_end_with_every_tag_and_send_nothing_twice()
    {
        var jobsFile = WriteJobs();
        using var registry = LocalRegistry.Start();
        var layout = Path.Combine(_root, "layout");
        string[] command = ["export", "--jobs", jobsFile, "--oci-layout", layout, "--push", $"{registry.Address}/fleet/app", "--max-concurrent", "2", "--compression", "zstd"];

        // First run: killed (-9) once a few snapshots are recorded.
        var recorded = RunUntilKilled(command, 5);

        // Second run: the same command.
        var report = Path.Combine(_root, "report.json");
        var second = CliRunner.Run([.. command, "--report", report, "--quiet"]);
        Assert.True(second.ExitCode == 0, second.StdErr + registry.Said());

        using var written = JsonDocument.Parse(File.ReadAllBytes(report));
        var snapshots = written.RootElement.GetProperty("snapshots").EnumerateArray().ToDictionary(s => s.GetProperty("id").GetString()!);
        Assert.Equal(Jobs, snapshots.Count);
        foreach (var id in recorded)
        {
            // Recorded before the kill: resumed, and found at the registry rather than sent again.
            Assert.Equal("resumed", snapshots[id].GetProperty("status").GetString());
            Assert.All(snapshots[id].GetProperty("push").GetProperty("blobs").EnumerateArray(), b => Assert.Equal("present", b.GetProperty("arrival").GetString()));
        }

        // Every tag is at the registry, naming the manifest the layout holds under the same name.
        using var index = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(layout, "index.json")));
        var manifests = index.RootElement.GetProperty("manifests").EnumerateArray()
            .ToDictionary(m => m.GetProperty("annotations").GetProperty("org.opencontainers.image.ref.name").GetString()!, m => m.GetProperty("digest").GetString()!);
        Assert.Equal(Jobs, manifests.Count);
        using var http = new HttpClient();
        var tags = JsonDocument.Parse(http.GetStringAsync(new Uri($"http://{registry.Address}/v2/fleet/app/tags/list")).GetAwaiter().GetResult())
            .RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).Order(StringComparer.Ordinal);
        Assert.Equal(manifests.Keys.Order(StringComparer.Ordinal), tags);
        foreach (var (tag, digest) in manifests)
        {
            var raw = SystemTool.Check("skopeo", "inspect", "--raw", "--tls-verify=false", $"docker://{registry.Address}/fleet/app:{tag}");
            Assert.Equal(digest, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(raw))));
        }
    }

    [RegistryFact]
    public void Export_to_a_registry_alone_killed_and_run_again_should_end_with_every_tag_and_no_file_but_the_journal()
    {
        var jobsFile = WriteJobs();
        using var registry = LocalRegistry.Start();
        var journal = Path.Combine(_root, "out", "push.journal.jsonl");
        Directory.CreateDirectory(Path.GetDirectoryName(journal)!);
        string[] command = ["export", "--jobs", jobsFile, "--push", $"{registry.Address}/fleet/app", "--journal", journal, "--max-concurrent", "2", "--compression", "zstd"];

        var recorded = RunUntilKilled(command, 5);

        var report = Path.Combine(_root, "report.json");
        var second = CliRunner.Run([.. command, "--report", report, "--quiet"]);
        Assert.True(second.ExitCode == 0, second.StdErr + registry.Said());

        // Nothing was written but the journal (and the report asked for): no layout, no blob file.
        Assert.Equal(["push.journal.jsonl"], Directory.GetFileSystemEntries(Path.Combine(_root, "out")).Select(Path.GetFileName));
        using var written = JsonDocument.Parse(File.ReadAllBytes(report));
        var snapshots = written.RootElement.GetProperty("snapshots").EnumerateArray().ToDictionary(s => s.GetProperty("id").GetString()!);
        Assert.Equal(Jobs, snapshots.Count);
        Assert.All(recorded, id => Assert.Equal("resumed", snapshots[id].GetProperty("status").GetString()));
        Assert.All(snapshots.Values, s => Assert.NotEqual("failed", s.GetProperty("status").GetString()));

        // Every tag at the registry names the manifest the report says was pushed, and the image
        // pulled back has the layer the report describes.
        foreach (var (tag, snapshot) in snapshots)
        {
            var raw = SystemTool.Check("skopeo", "inspect", "--raw", "--tls-verify=false", $"docker://{registry.Address}/fleet/app:{tag}");
            Assert.Equal(snapshot.GetProperty("push").GetProperty("manifest").GetString(), "sha256:" + Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(raw))));
            using var manifest = JsonDocument.Parse(raw);
            Assert.Equal(snapshot.GetProperty("descriptor").GetProperty("digest").GetString(), manifest.RootElement.GetProperty("layers")[0].GetProperty("digest").GetString());
        }

        var pulled = Path.Combine(_root, "pulled");
        SystemTool.Check("skopeo", "copy", "--src-tls-verify=false", $"docker://{registry.Address}/fleet/app:snap-07", $"oci:{pulled}:snap-07");
        var layer = snapshots["snap-07"].GetProperty("descriptor").GetProperty("digest").GetString()!;
        Assert.Equal(layer, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(pulled, "blobs", "sha256", layer["sha256:".Length..])))));
    }

    [Fact]
    public void Export_without_a_layout_should_need_push_and_a_journal()
    {
        var jobsFile = Path.Combine(_root, "jobs.json");
        Directory.CreateDirectory(Path.Combine(_root, "upper"));
        File.WriteAllText(jobsFile, """[{"id": "a", "upper": "upper", "lower-layers": true}]""");
        var none = CliRunner.Run("export", "--jobs", jobsFile);
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("--oci-layout DIR, or --push REGISTRY/REPOSITORY with --journal FILE", none.StdErr, StringComparison.Ordinal);
        var noJournal = CliRunner.Run("export", "--jobs", jobsFile, "--push", "127.0.0.1:1/fleet/app");
        Assert.Equal(2, noJournal.ExitCode);
        Assert.Contains("needs --journal FILE", noJournal.StdErr, StringComparison.Ordinal);
        var lowerLayers = CliRunner.Run("export", "--jobs", jobsFile, "--push", "127.0.0.1:1/fleet/app", "--journal", Path.Combine(_root, "j.jsonl"));
        Assert.Equal(2, lowerLayers.ExitCode);
        Assert.Contains("\"lower-layers\" needs --oci-layout", lowerLayers.StdErr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_root, "j.jsonl")));
    }

    /// <summary>Jobs of 3 MiB of random data each (so the export lasts a while), in jobs.json.</summary>
    private string WriteJobs()
    {
        var jobs = new JsonArray();
        for (var i = 0; i < Jobs; i++)
        {
            var upper = Directory.CreateDirectory(Path.Combine(_root, "snapshots", $"s{i:D2}", "etc")).Parent!.FullName;
            File.WriteAllBytes(Path.Combine(upper, "data.bin"), RandomNumberGenerator.GetBytes(3 << 20));
            File.WriteAllText(Path.Combine(upper, "etc", "id"), $"{i}\n");
            jobs.Add(new JsonObject { ["id"] = $"snap-{i:D2}", ["upper"] = upper });
        }

        var jobsFile = Path.Combine(_root, "jobs.json");
        File.WriteAllText(jobsFile, jobs.ToJsonString());
        return jobsFile;
    }

    /// <summary>Runs the command with --progress json and kills it (-9) once <paramref name="done"/> jobs are done; returns their ids.</summary>
    private static List<string> RunUntilKilled(string[] command, int done)
    {
        var recorded = new List<string>();
        using (var first = CliRunner.Start([.. command, "--progress", "json"]))
        {
            _ = first.StandardOutput.ReadToEndAsync();
            var clock = Stopwatch.StartNew();
            while (recorded.Count < done && first.StandardError.ReadLine() is { } line)
            {
                using var json = JsonDocument.Parse(line);
                if (json.RootElement.GetProperty("event").GetString() == "done")
                {
                    recorded.Add(json.RootElement.GetProperty("snapshot").GetProperty("id").GetString()!);
                }

                Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), "the first run recorded too little");
            }

            first.Kill(entireProcessTree: true);
            first.WaitForExit();
        }

        Assert.True(recorded.Count >= done, "the first run ended before it was killed");
        return recorded;
    }

    [RegistryFact]
    public void A_job_pushed_to_another_repository_on_rerun_should_get_its_blobs_mounted_not_sent()
    {
        var upper = Directory.CreateDirectory(Path.Combine(_root, "upper")).FullName;
        File.WriteAllBytes(Path.Combine(upper, "data.bin"), RandomNumberGenerator.GetBytes(1 << 20));
        using var registry = LocalRegistry.Start();
        var jobsFile = Path.Combine(_root, "jobs.json");
        var layout = Path.Combine(_root, "layout");
        string Job(string repository) => new JsonArray(new JsonObject { ["id"] = "web", ["upper"] = upper, ["push"] = $"{registry.Address}/{repository}:v1" }).ToJsonString();

        File.WriteAllText(jobsFile, Job("one/app"));
        var first = CliRunner.Run("export", "--jobs", jobsFile, "--oci-layout", layout, "--quiet");
        Assert.True(first.ExitCode == 0, first.StdErr + registry.Said());

        // The same job, now pushed to another repository of the same registry: resumed from the
        // layout, its blobs mounted from the repository the journal says holds them.
        File.WriteAllText(jobsFile, Job("two/app"));
        var report = Path.Combine(_root, "report.json");
        var second = CliRunner.Run("export", "--jobs", jobsFile, "--oci-layout", layout, "--quiet", "--report", report);
        Assert.True(second.ExitCode == 0, second.StdErr + registry.Said());
        using var written = JsonDocument.Parse(File.ReadAllBytes(report));
        var snapshot = written.RootElement.GetProperty("snapshots")[0];
        Assert.Equal("resumed", snapshot.GetProperty("status").GetString());
        Assert.All(snapshot.GetProperty("push").GetProperty("blobs").EnumerateArray(), b => Assert.Equal("mounted", b.GetProperty("arrival").GetString()));
        var raw = SystemTool.Check("skopeo", "inspect", "--raw", "--tls-verify=false", $"docker://{registry.Address}/two/app:v1");
        Assert.Equal(snapshot.GetProperty("push").GetProperty("manifest").GetString(), "sha256:" + Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(raw))));
    }

    [RegistryFact]
    public void Export_push_with_a_tag_should_be_a_usage_error()
    {
        var jobsFile = Path.Combine(_root, "jobs.json");
        Directory.CreateDirectory(Path.Combine(_root, "upper"));
        File.WriteAllText(jobsFile, """[{"id": "a", "upper": "upper"}]""");
        var result = CliRunner.Run("export", "--jobs", jobsFile, "--oci-layout", Path.Combine(_root, "layout"), "--push", "127.0.0.1:1/fleet/app:v1");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("tags each job's image with its id", result.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_root, "layout")));
    }
}
