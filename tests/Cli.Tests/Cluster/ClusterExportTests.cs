using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using ParallelDiff.Cli.Tests.Registry;
using Xunit;

namespace ParallelDiff.Cli.Tests.Cluster;

/// <summary>
/// export --cluster with real node processes on 127.0.0.1, each seeing a different subset of the
/// snapshots (--roots): one node killed with SIGKILL in the middle, or the coordinator killed and
/// run again; the images at the registry are those of a single-machine export of the same jobs.
/// </summary>
public sealed class ClusterExportTests : IDisposable
{
    /// <summary>Snapshots per group; three groups (a, b, c), each readable by two of the three nodes.</summary>
    private const int PerGroup = 21;

    private readonly string _root = Directory.CreateTempSubdirectory("pd-cluster-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [RegistryFact]
    public void Cluster_export_with_a_node_killed_should_push_every_image_once_as_a_local_export_does()
    {
        var jobsFile = WriteJobs(ghost: true);
        using var registry = LocalRegistry.Start();
        var local = LocalExport(registry);
        var config = WriteConfig();

        using var nodes = new ClusterNodes();
        StartThreeNodes(nodes, config);

        var journal = Path.Combine(_root, "cluster.journal.jsonl");
        var report = Path.Combine(_root, "cluster.json");
        string[] command = ["export", "--jobs", jobsFile, "--cluster", nodes.Seed, "--push", $"{registry.Address}/fleet/app", "--journal", journal,
            "--created", "none", "--report", report, "--progress", "json", "--config", config];
        var (exit, lines) = RunCoordinator(command, onDone: KillN3AfterItsSecondJob(nodes));

        var said = string.Join('\n', lines) + "\n" + nodes.Said();
        Assert.True(exit == 3, $"exit {exit}\n{said}");
        var events = lines.Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var ghost = Assert.Single(events, e => e.GetProperty("event").GetString() == "failed");
        Assert.Equal("ghost-job", ghost.GetProperty("snapshot").GetProperty("id").GetString());
        Assert.Contains("node \"ghost\" is not in the cluster", ghost.GetProperty("snapshot").GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains(events, e => e.GetProperty("event").GetString() == "warning" && e.GetProperty("message").GetString()!.StartsWith("node n3 left the cluster", StringComparison.Ordinal));

        // Every snapshot once in the journal, done, with the manifest a local export pushed.
        var entries = File.ReadAllLines(journal).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("report")).ToList();
        Assert.Equal(3 * PerGroup + 1, entries.Count);
        Assert.Equal(entries.Count, entries.Select(e => e.GetProperty("id").GetString()).Distinct().Count());
        var cluster = Snapshots(report);
        Assert.Equal("failed", cluster["ghost-job"].GetProperty("status").GetString());
        foreach (var (id, manifest) in local)
        {
            Assert.True(cluster[id].GetProperty("status").GetString() == "done", $"{id}: {cluster[id]}\n{said}");
            Assert.Equal(manifest, cluster[id].GetProperty("push").GetProperty("manifest").GetString());
        }

        // Each node exported only what its roots hold; all three took part.
        var byNode = cluster.Values.Where(s => s.TryGetProperty("node", out _)).GroupBy(s => s.GetProperty("node").GetString()!).ToDictionary(g => g.Key, g => g.Select(s => s.GetProperty("id").GetString()!).ToList());
        Assert.Equal(["n1", "n2", "n3"], byNode.Keys.Order(StringComparer.Ordinal));
        Assert.All(byNode["n1"], id => Assert.True(id[0] is 'a' or 'b', id));
        Assert.All(byNode["n2"], id => Assert.True(id[0] is 'b' or 'c', id));
        Assert.All(byNode["n3"], id => Assert.True(id[0] is 'c' or 'a', id));

        // The live stream says where each snapshot started: every start names a node of the cluster.
        var starts = events.Where(e => e.GetProperty("event").GetString() == "start").ToList();
        Assert.NotEmpty(starts);
        Assert.All(starts, e => Assert.Contains(e.GetProperty("node").GetString(), new[] { "n1", "n2", "n3" }));

        // The registry's tags are exactly the snapshots, each naming the local export's manifest.
        AssertRegistryHolds(registry, "fleet/app", local);
    }

    [RegistryFact]
    public void Cluster_export_run_again_after_the_coordinator_is_killed_should_resume_and_end_identical()
    {
        var jobsFile = WriteJobs(ghost: false);
        using var registry = LocalRegistry.Start();
        var local = LocalExport(registry);
        var config = WriteConfig();

        using var nodes = new ClusterNodes();
        nodes.Start("n1", "--roots", $"{Group("a")},{Group("b")}", "--config", config);
        nodes.Start("n2", "--roots", $"{Group("b")},{Group("c")}", "--config", config);

        var journal = Path.Combine(_root, "cluster.journal.jsonl");
        string[] command = ["export", "--jobs", jobsFile, "--cluster", nodes.Seed, "--push", $"{registry.Address}/fleet/app", "--journal", journal,
            "--created", "none", "--config", config];

        // First run: the coordinator is killed (-9) once 10 snapshots are recorded.
        var recorded = new List<string>();
        using (var first = CliRunner.Start([.. command, "--progress", "json"]))
        {
            _ = first.StandardOutput.ReadToEndAsync();
            while (recorded.Count < 10 && first.StandardError.ReadLine() is { } line)
            {
                if (line.Contains("\"event\":\"done\"", StringComparison.Ordinal))
                {
                    recorded.Add(JsonDocument.Parse(line).RootElement.GetProperty("snapshot").GetProperty("id").GetString()!);
                }
            }

            first.Kill();
            first.WaitForExit();
        }

        Assert.True(recorded.Count == 10, "the first run ended before it was killed\n" + nodes.Said());

        // The same command again: what was recorded is resumed, the rest exported.
        var report = Path.Combine(_root, "cluster.json");
        var second = CliRunner.Run([.. command, "--report", report, "--quiet"]);
        Assert.True(second.ExitCode == 0, second.StdErr + "\n" + nodes.Said());
        var cluster = Snapshots(report);
        Assert.Equal(local.Count, cluster.Count);
        Assert.All(recorded, id => Assert.Equal("resumed", cluster[id].GetProperty("status").GetString()));
        foreach (var (id, manifest) in local)
        {
            Assert.Equal(manifest, cluster[id].GetProperty("push").GetProperty("manifest").GetString());
        }

        AssertRegistryHolds(registry, "fleet/app", local);
    }

    [Fact]
    public void Cluster_export_into_a_shared_layout_with_a_node_killed_should_write_the_layout_a_local_export_writes()
    {
        var jobsFile = WriteJobs(ghost: false);
        var local = Path.Combine(_root, "local-layout");
        var localRun = CliRunner.Run("export", "--jobs", Path.Combine(_root, "local-jobs.json"), "--oci-layout", local, "--created", "none", "--quiet");
        Assert.True(localRun.ExitCode == 0, localRun.StdErr);
        var config = WriteConfig();

        using var nodes = new ClusterNodes();
        StartThreeNodes(nodes, config);

        // The jobs file names the same snapshots as local-jobs.json (the ghost left out): the same ids, the same images.
        var shared = Path.Combine(_root, "shared-layout");
        var report = Path.Combine(_root, "cluster.json");
        string[] command = ["export", "--jobs", jobsFile, "--cluster", nodes.Seed, "--oci-layout", shared, "--created", "none", "--report", report, "--progress", "json", "--config", config];
        var (exit, lines) = RunCoordinator(command, onDone: KillN3AfterItsSecondJob(nodes));
        var said = string.Join('\n', lines) + "\n" + nodes.Said();
        Assert.True(exit == 0, $"exit {exit}\n{said}");
        var cluster = Snapshots(report);
        Assert.All(cluster.Values, s => Assert.Equal("done", s.GetProperty("status").GetString()));
        Assert.Equal(["n1", "n2", "n3"], cluster.Values.Select(s => s.GetProperty("node").GetString()!).Distinct().Order(StringComparer.Ordinal));

        // Blobs, index.json and oci-layout byte for byte; each job once in the journal.
        Assert.Equal(File.ReadAllText(Path.Combine(local, "index.json")), File.ReadAllText(Path.Combine(shared, "index.json")));
        LayoutBytes.AssertEqual(local, shared);
        var journal = File.ReadAllLines(shared + ".journal.jsonl").Select(l => JsonDocument.Parse(l).RootElement.GetProperty("report").GetProperty("id").GetString()).ToList();
        Assert.Equal(journal.Count, journal.Distinct().Count());
        Assert.Equal(cluster.Count, journal.Count);

        // While a coordinator holds the layout, no second export may write it.
        using (Core.Export.LayoutWriterLock.Take(Core.Oci.OciLayout.Open(shared)))
        {
            var second = CliRunner.Run("export", "--jobs", Path.Combine(_root, "local-jobs.json"), "--oci-layout", shared, "--journal", Path.Combine(_root, "other.journal.jsonl"), "--quiet");
            Assert.Equal(1, second.ExitCode);
            Assert.Contains("another export is writing this layout", second.StdErr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Cluster_options_should_refuse_an_insecure_bind_and_two_outputs()
    {
        Directory.CreateDirectory(Path.Combine(_root, "upper"));
        var jobsFile = Path.Combine(_root, "jobs.json");
        File.WriteAllText(jobsFile, """[{"id": "a", "upper": "upper"}]""");

        var insecure = CliRunner.Run("node", "--cluster", "127.0.0.1:1", "--bind", "0.0.0.0:2552");
        Assert.Equal(2, insecure.ExitCode);
        Assert.Contains("--cluster-cert FILE (TLS), or --allow-insecure-bind", insecure.StdErr, StringComparison.Ordinal);

        var noSeeds = CliRunner.Run("node");
        Assert.Equal(2, noSeeds.ExitCode);
        Assert.Contains("--cluster HOST:PORT", noSeeds.StdErr, StringComparison.Ordinal);

        var both = CliRunner.Run("export", "--jobs", jobsFile, "--cluster", "127.0.0.1:1", "--oci-layout", Path.Combine(_root, "layout"), "--push", "127.0.0.1:1/x");
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("not both", both.StdErr, StringComparison.Ordinal);

        var bindAlone = CliRunner.Run("export", "--jobs", jobsFile, "--oci-layout", Path.Combine(_root, "layout"), "--bind", "127.0.0.1:0");
        Assert.Equal(2, bindAlone.ExitCode);
        Assert.Contains("--bind is an option of a cluster export", bindAlone.StdErr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_root, "layout")));
    }

    /// <summary>Nodes n1, n2, n3, each reading two of the three groups; n3 runs one job at a time.</summary>
    private void StartThreeNodes(ClusterNodes nodes, string config)
    {
        nodes.Start("n1", "--roots", $"{Group("a")},{Group("b")}", "--config", config);
        nodes.Start("n2", "--roots", $"{Group("b")},{Group("c")}", "--config", config);
        nodes.Start("n3", "--roots", $"{Group("c")},{Group("a")}", "--config", config, "--max-concurrent", "1");
    }

    /// <summary>n3 dies with work in hand: killed (SIGKILL) once it has finished its second job.</summary>
    private static Action<string, int> KillN3AfterItsSecondJob(ClusterNodes nodes) => (node, doneByNode) =>
    {
        if (node == "n3" && doneByNode == 2)
        {
            nodes.Kill("n3");
        }
    };

    private string Group(string name) => Path.Combine(_root, "snapshots", name);

    /// <summary>3 x 21 snapshots of 2 MiB of random data in groups a, b, c; with <paramref name="ghost"/> one more job naming a node that is not there.</summary>
    private string WriteJobs(bool ghost)
    {
        var jobs = new JsonArray();
        foreach (var group in new[] { "a", "b", "c" })
        {
            for (var i = 0; i < PerGroup; i++)
            {
                var upper = Directory.CreateDirectory(Path.Combine(Group(group), $"s{i:D2}", "etc")).Parent!.FullName;
                File.WriteAllBytes(Path.Combine(upper, "data.bin"), RandomNumberGenerator.GetBytes(2 << 20));
                File.WriteAllText(Path.Combine(upper, "etc", "id"), $"{group}{i}\n");
                jobs.Add(new JsonObject { ["id"] = $"{group}-{i:D2}", ["upper"] = upper });
            }
        }

        var localJobs = Path.Combine(_root, "local-jobs.json");
        File.WriteAllText(localJobs, jobs.ToJsonString());
        if (ghost)
        {
            jobs.Add(new JsonObject { ["id"] = "ghost-job", ["upper"] = Path.Combine(Group("a"), "s00"), ["node"] = "ghost" });
        }

        var jobsFile = Path.Combine(_root, "jobs.json");
        File.WriteAllText(jobsFile, jobs.ToJsonString());
        return jobsFile;
    }

    /// <summary>Quick membership changes and a short wait for a job no node can take.</summary>
    private string WriteConfig()
    {
        var config = Path.Combine(_root, "cluster-test.conf");
        File.WriteAllText(config, """
            paralleldiff.cluster.unassigned-timeout-s = 5
            akka.cluster.split-brain-resolver.stable-after = 3s
            akka.cluster.failure-detector.acceptable-heartbeat-pause = 5s
            """);
        return config;
    }

    /// <summary>The same jobs (without the ghost) exported by one machine to fleet/local; each id's manifest digest.</summary>
    private Dictionary<string, string> LocalExport(LocalRegistry registry)
    {
        var report = Path.Combine(_root, "local.json");
        var local = CliRunner.Run("export", "--jobs", Path.Combine(_root, "local-jobs.json"), "--push", $"{registry.Address}/fleet/local",
            "--journal", Path.Combine(_root, "local.journal.jsonl"), "--created", "none", "--report", report, "--quiet");
        Assert.True(local.ExitCode == 0, local.StdErr + registry.Said());
        return Snapshots(report).ToDictionary(s => s.Key, s => s.Value.GetProperty("push").GetProperty("manifest").GetString()!);
    }

    /// <summary>Runs the coordinator with --progress json, calling <paramref name="onDone"/> with each done snapshot's node and that node's count so far.</summary>
    private static (int Exit, List<string> Lines) RunCoordinator(string[] command, Action<string, int> onDone)
    {
        var lines = new List<string>();
        var perNode = new Dictionary<string, int>();
        using var coordinator = CliRunner.Start(command);
        _ = coordinator.StandardOutput.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        while (coordinator.StandardError.ReadLine() is { } line)
        {
            lines.Add(line);
            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(4), "the cluster export did not end within 4 minutes\n" + string.Join('\n', lines));
            if (line.Contains("\"event\":\"done\"", StringComparison.Ordinal)
                && JsonDocument.Parse(line).RootElement.GetProperty("snapshot").TryGetProperty("node", out var node))
            {
                var name = node.GetString()!;
                perNode[name] = perNode.GetValueOrDefault(name) + 1;
                onDone(name, perNode[name]);
            }
        }

        coordinator.WaitForExit();
        return (coordinator.ExitCode, lines);
    }

    private static Dictionary<string, JsonElement> Snapshots(string report) =>
        JsonDocument.Parse(File.ReadAllBytes(report)).RootElement.GetProperty("snapshots").EnumerateArray().ToDictionary(s => s.GetProperty("id").GetString()!);

    private static void AssertRegistryHolds(LocalRegistry registry, string repository, Dictionary<string, string> expected)
    {
        using var http = new HttpClient();
        var tags = JsonDocument.Parse(http.GetStringAsync(new Uri($"http://{registry.Address}/v2/{repository}/tags/list")).GetAwaiter().GetResult())
            .RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).Order(StringComparer.Ordinal);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), tags);
        foreach (var (tag, digest) in expected.Where((_, i) => i % 10 == 0))
        {
            var raw = SystemTool.Check("skopeo", "inspect", "--raw", "--tls-verify=false", $"docker://{registry.Address}/{repository}:{tag}");
            Assert.Equal(digest, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(raw))));
        }
    }
}
