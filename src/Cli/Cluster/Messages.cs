namespace ParallelDiff.Cli.Cluster;

/// <summary>A message that crosses between cluster members; <see cref="ClusterMessageSerializer"/> writes every one.</summary>
public interface IClusterMessage;

/// <summary>
/// Node → coordinator: "I can take work": sent when the node sees the coordinator come up. Work
/// pulling: the coordinator offers at most <paramref name="Slots"/> jobs at once, and each
/// <see cref="JobOutcome"/> asks for one more, so a slow or busy node takes less.
/// </summary>
/// <param name="Node">The node's name (--name), which a job's "node" may name.</param>
/// <param name="Roots">The directories whose snapshots the node can read; empty: any.</param>
/// <param name="Slots">Jobs the node takes at once: the layers it exports at once, and those it keeps in hand for when one ends (cluster.prefetch).</param>
public sealed record WorkRequest(string Node, IReadOnlyList<string> Roots, int Slots) : IClusterMessage;

/// <summary>Coordinator → node: export this job.</summary>
/// <param name="Job">The job's JSON object as it stands in the job file.</param>
/// <param name="BaseDirectory">What the job's relative paths are relative to (the job file's folder).</param>
/// <param name="Arguments">The export's command-line options that shape the image (compression, image config, push), for the node to plan the job as the coordinator did.</param>
public sealed record JobOffer(string JobId, string Job, string BaseDirectory, IReadOnlyList<string> Arguments) : IClusterMessage;

/// <summary>Node → coordinator: a job's outcome, done or failed.</summary>
/// <param name="Report">The job's snapshot report as JSON (<see cref="Core.Export.SnapshotReport.WriteTo"/>).</param>
public sealed record JobOutcome(string JobId, string Node, string Report) : IClusterMessage;
