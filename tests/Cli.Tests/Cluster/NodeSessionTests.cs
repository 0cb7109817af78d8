using System.Text;
using System.Text.Json.Nodes;
using ParallelDiff.Cli.Tests.Registry;
using Xunit;

namespace ParallelDiff.Cli.Tests.Cluster;

/// <summary>
/// A node's jobs of one export share one registry session, as a local export's jobs do: a token
/// service in front of the registry counts the logins of each (a session per job asked it for a
/// token for every snapshot).
/// </summary>
public sealed class NodeSessionTests : IDisposable
{
    private const int Jobs = 8;
    private const string User = "pd-node-user";
    private const string Password = "n0de-Pass-7";

    private readonly string _root = Directory.CreateTempSubdirectory("pd-node-session-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [RegistryFact]
    public void A_node_should_log_in_to_the_registry_once_per_export_not_once_per_job()
    {
        var jobsFile = WriteJobs();
        using var tokens = new TokenService(_root, User, Password);
        using var registry = LocalRegistry.Start(token: tokens);
        var auth = AuthFile(registry);

        var before = tokens.Issued;
        var local = CliRunner.Run("export", "--jobs", jobsFile, "--push", $"{registry.Address}/team/local", "--journal", Path.Combine(_root, "local.jsonl"),
            "--authfile", auth, "--created", "none", "--quiet");
        Assert.True(local.ExitCode == 0, local.StdErr + registry.Said());
        var localLogins = tokens.Issued - before;

        using var nodes = new ClusterNodes();
        nodes.Start("n1");
        before = tokens.Issued;
        var cluster = CliRunner.Run("export", "--jobs", jobsFile, "--cluster", nodes.Seed, "--push", $"{registry.Address}/team/cluster",
            "--journal", Path.Combine(_root, "cluster.jsonl"), "--authfile", auth, "--created", "none", "--quiet");
        Assert.True(cluster.ExitCode == 0, cluster.StdErr + "\n" + nodes.Said() + registry.Said());
        var clusterLogins = tokens.Issued - before;

        // The coordinator logs in (it checks the registry before it hands out work), and the node
        // once for the export: twice the local export's logins at most, not one per job.
        Assert.True(localLogins >= 1, "the local export asked the token service");
        Assert.True(clusterLogins <= 2 * localLogins && clusterLogins < Jobs,
            $"the cluster export took {clusterLogins} tokens for {Jobs} jobs, the local export {localLogins}\n{nodes.Said()}");
        Assert.Equal(Jobs, File.ReadAllLines(Path.Combine(_root, "cluster.jsonl")).Count(l => l.Contains("\"status\":\"done\"", StringComparison.Ordinal)));
    }

    private string WriteJobs()
    {
        var jobs = new JsonArray();
        for (var i = 0; i < Jobs; i++)
        {
            var upper = Directory.CreateDirectory(Path.Combine(_root, "snapshots", $"s{i}")).FullName;
            File.WriteAllText(Path.Combine(upper, "hello"), $"hello from {i}\n");
            jobs.Add(new JsonObject { ["id"] = $"s{i}", ["upper"] = upper });
        }

        var path = Path.Combine(_root, "jobs.json");
        File.WriteAllText(path, jobs.ToJsonString());
        return path;
    }

    private string AuthFile(LocalRegistry registry)
    {
        var path = Path.Combine(_root, "auth.json");
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}"));
        File.WriteAllText(path, new JsonObject { ["auths"] = new JsonObject { [registry.Address] = new JsonObject { ["auth"] = auth } } }.ToJsonString());
        return path;
    }
}
