using ParallelDiff.Core.Diff;

namespace ParallelDiff.Actors.Walk;

/// <summary>
/// The walking differ (continuity's double walk) as a single shard: it reads the merged lower and
/// upper views side by side, so there is no upper directory to cut along. The layer stream still
/// reads and compresses in parallel behind it.
/// </summary>
internal sealed class WholeTreeWalkPlan : WalkPlan
{
    private readonly TreeDiffer _differ;

    public WholeTreeWalkPlan(string snapshot, TreeDiffer differ)
        : base(snapshot, DifferKind.Walking) => _differ = differ;

    public override ShardOutcome Classify(ShardSpan span, int maxEntries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(span);
        try
        {
            var sink = new ShardSink();
            _differ.DiffChildren(span.Directory, sink, cancellationToken);
            return new ShardOutcome(sink.Items, []);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The walk has no single current path; the cause (an FsException) names the file.
            throw Failed(span.Directory, e);
        }
    }
}
