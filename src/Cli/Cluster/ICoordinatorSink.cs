using ParallelDiff.Core.Export;

namespace ParallelDiff.Cli.Cluster;

/// <summary>What the coordinator's actor reports, on its own thread, one call at a time.</summary>
public interface ICoordinatorSink
{
    void Joined(string node, string address, int slots);

    void Left(string node);

    void Started(string jobId, string node);

    void Warning(string jobId, string message);

    /// <summary>A job's one outcome: journal it, then show it.</summary>
    void Finished(ClusterJob job, SnapshotReport report);

    /// <summary>Every job has its outcome.</summary>
    void Done();
}
