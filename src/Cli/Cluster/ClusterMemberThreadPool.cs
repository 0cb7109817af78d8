namespace ParallelDiff.Cli.Cluster;

/// <summary>
/// A cluster member's thread pool does not spin while it waits for work. After each message a
/// .NET worker spins (sched_yield) before it sleeps; a member wakes for every offer, outcome and
/// heartbeat, and perf found 40 % of a coordinator's samples in that spin on 1,000 small jobs,
/// CPU the node and the registry needed on the same cores (with it off: the coordinator's CPU
/// 0.9 → 0.7 s, the node's 1.9 → 1.6 s for 200 jobs). $DOTNET_ThreadPool_UnfairSemaphoreSpinLimit
/// still decides when it is set.
/// </summary>
public static class ClusterMemberThreadPool
{
    private const string SpinLimit = "System.Threading.ThreadPool.UnfairSemaphoreSpinLimit";

    /// <summary>Called first in Main: the pool reads the setting when it makes its first worker.</summary>
    public static void Configure(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Count > 0 && (args[0] == "node" || (args[0] == "export" && args.Any(a => a == "--cluster" || a.StartsWith("--cluster=", StringComparison.Ordinal)))))
        {
            AppContext.SetData(SpinLimit, 0);
        }
    }
}
