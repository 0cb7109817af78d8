using ParallelDiff.Cli.Export;

namespace ParallelDiff.Cli.Cluster;

/// <summary>A job of a cluster export: as planned by the coordinator, and as offered to a node.</summary>
/// <param name="Json">The job's object as it stands in the job file.</param>
public sealed record ClusterJob(PlannedJob Planned, string Json)
{
    public string Id => Planned.Job.Id;

    /// <summary>Whether a node with these roots (and name) can take the job: its "node" names it, or, with none, the roots hold every path the job names (no roots: any).</summary>
    public bool CanRunOn(WorkRequest node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (Planned.Job.Node is { } name)
        {
            return name == node.Node;
        }

        return node.Roots.Count == 0 || Planned.Job.Source.Paths().All(path => node.Roots.Any(root => IsUnder(path, root)));
    }

    private static bool IsUnder(string path, string root)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        return path == full || path.StartsWith(full + "/", StringComparison.Ordinal) || full == "/";
    }
}
