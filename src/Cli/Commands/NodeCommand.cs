using Akka.Actor;
using ParallelDiff.Cli.Cluster;
using ParallelDiff.Cli.Layers;
using ParallelDiff.Cli.Metrics;
using ParallelDiff.Cli.Progress;
using ParallelDiff.Core.Export;

namespace ParallelDiff.Cli.Commands;

/// <summary>paralleldiff node: a worker of a cluster export, until interrupted.</summary>
public static class NodeCommand
{
    public const string Help = $$"""
        usage: paralleldiff node --cluster SEED_HOST:PORT[,…] [--bind HOST:PORT] [--roots DIR[,DIR…]] [options]

        Joins a paralleldiff cluster and exports the snapshots a coordinator ('paralleldiff export
        --jobs JOBS.json --cluster SEED… --push REGISTRY/REPOSITORY --journal FILE') hands it, with
        the same engine and code as a local export: each job's image is pushed by the node itself,
        and the coordinator journals the outcome. Runs until Ctrl-C or SIGTERM, then leaves the
        cluster. A node killed outright is found by the failure detector and downed by the split
        brain resolver (hocon/cluster.conf); its unfinished jobs go to other nodes.

          --roots DIR[,DIR…]   the directories whose snapshots this node can read (default: any):
                               a job goes only to a node whose roots hold every path it names
          --name NAME          the node's name, which a job's "node" may name (default HOST:PORT)
          --max-concurrent N   layers exported at once (the local export's budget, default
                               export.max-concurrent, 0 = one per core); the node asks for that many
                               jobs and cluster.prefetch (default 1) more, kept in hand
          --parallelism N      workers inside one layer (default pipeline.parallelism)
          --config FILE        HOCON settings over hocon/paralleldiff.conf and hocon/cluster.conf
          --log-level LEVEL    off (default)|error|warning|info|debug: the actor systems' log, on stderr
          --metrics [HOST:]PORT
                               serve this node's metrics at http://HOST:PORT/metrics in Prometheus's
                               text format while it runs, as 'paralleldiff export --metrics' does
                               (default HOST: metrics.host in the settings, 127.0.0.1)
        {{ClusterMember.Help}}
        The layer, image and push settings come with each job from the coordinator's command line;
        registry credentials (--authfile) are read on the node.

        exit codes: 0 left the cluster after Ctrl-C or SIGTERM; 1 could not start or join; 2 bad command line
        """;

    private static readonly HashSet<string> Values = ["--roots", "--name", "--max-concurrent", "--parallelism", "--config", "--log-level", "--metrics", .. ClusterMember.ValueOptions];

    private static readonly HashSet<string> Flags = [.. ClusterMember.FlagOptions];

    /// <summary>What the parser below accepts: for completion, and checked against <see cref="Help"/>.</summary>
    public static CommandSyntax Syntax => new("node", Values, Flags, Settings.Choices, Help);

    public static int Run(IReadOnlyList<string> args, CancellationToken cancellationToken) =>
        RunAsync(args, cancellationToken).GetAwaiter().GetResult();

    private static async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var cl = CommandLine.ParseOptions("node", args, Values, Flags);
        var member = ClusterMember.Parse(cl);
        var settings = Settings.Load(cl);
        var maxConcurrent = cl.Number("--max-concurrent") is { } n
            ? n >= 1 ? checked((int)n) : throw new UsageException($"--max-concurrent {n}: at least 1")
            : settings.MaxConcurrent;
        var roots = (cl.Value("--roots") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(r => Directory.Exists(r) ? Path.GetFullPath(r) : throw new UsageException($"--roots {r}: no such directory"))
            .ToList();

        var metricsAt = cl.Value("--metrics") is { } listen ? MetricsAddress.Parse("--metrics", listen, settings.MetricsHost) : null;

        // Opened before the node joins: a port in use fails the node before it takes any work.
        await using var metrics = metricsAt is null ? null : MetricsEndpoint.Start("--metrics", metricsAt);
        if (metrics is not null && metricsAt!.Port == 0)
        {
            Console.Error.WriteLine($"paralleldiff node: metrics at http://{metrics.Address}/metrics");
        }

        // As a local export of many snapshots: L layers at once, P workers each, L x P <= cores.
        var budget = ExportBudget.For(settings.Parallelism, maxConcurrent, int.MaxValue, settings.MemoryBudget, settings.MemoryPerLayer + 2L * settings.RegistryChunkSize, 2L * settings.BlockSize);
        var system = member.Start(settings, "node");
        var name = cl.Value("--name") ?? ClusterMember.Describe(system);
        await using var writer = LayerWriters.Create(settings);
        await using var jobs = new NodeJobs(name, settings, writer, new QuietProgress(Console.Error), Console.Error, budget.LayersInFlight, budget.PerLayerParallelism);
        try
        {
            // One more job than it runs at once: the next one is in hand when a job ends, rather than a
            // round trip to the coordinator (its journal fsync included) away.
            var request = new WorkRequest(name, roots, budget.LayersInFlight + settings.ClusterPrefetch);
            system.ActorOf(Props.Create(() => new ExportNode(request, (offer, coordinator) => jobs.RunAsync(offer, coordinator, cancellationToken), jobs.ForgetAsync)), ExportNode.Name);
            var joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Akka.Cluster.Cluster.Get(system).RegisterOnMemberUp(() => joined.TrySetResult());
            member.Join(system);
            if (await Task.WhenAny(joined.Task, Task.Delay(settings.ClusterJoinTimeout, cancellationToken)).ConfigureAwait(false) != joined.Task)
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw new IOException($"--cluster {cl.Value("--cluster")}: could not join the cluster within {settings.ClusterJoinTimeout.TotalSeconds:0} s (is a seed node running there?)");
            }

            Console.Error.WriteLine($"node {name}: up at {ClusterMember.Describe(system)}, {budget}, roots {(roots.Count == 0 ? "any" : string.Join(',', roots))}");
            await Task.WhenAny(Task.Delay(Timeout.Infinite, cancellationToken), system.WhenTerminated).ConfigureAwait(false);
            if (!cancellationToken.IsCancellationRequested)
            {
                throw new IOException($"node {name}: removed from the cluster (downed by the split brain resolver?)");
            }

            Console.Error.WriteLine($"node {name}: leaving the cluster");
            return ExitCodes.Success;
        }
        finally
        {
            await Akka.Cluster.Cluster.Get(system).LeaveAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            await system.Terminate().ConfigureAwait(false);
        }
    }
}
