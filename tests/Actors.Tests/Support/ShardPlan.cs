using ParallelDiff.Actors.Walk;

namespace ParallelDiff.Actors.Tests.Support;

/// <summary>
/// A plan around another that counts the shards it classifies and runs a test's hook before
/// each one (to delay some shards, or hold them until the test lets them go).
/// </summary>
public sealed class ShardPlan : WalkPlan
{
    private readonly WalkPlan _inner;
    private int _classified;

    public ShardPlan(WalkPlan inner, Action<ShardSpan, CancellationToken>? before = null)
        : base(inner.Snapshot, inner.Differ)
    {
        _inner = inner;
        Before = before;
    }

    public Action<ShardSpan, CancellationToken>? Before { get; }

    /// <summary>Shards whose classification has started.</summary>
    public int Classified => Volatile.Read(ref _classified);

    public override ShardOutcome Classify(ShardSpan span, int maxEntries, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _classified);
        Before?.Invoke(span, cancellationToken);
        return _inner.Classify(span, maxEntries, cancellationToken);
    }
}
