using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Actors.Walk;

/// <summary>
/// The overlay differ's walk, one upper directory (or one range of a huge one) per shard. Each
/// entry is classified in the sequential walk's order; where that walk would recurse into an
/// upper directory, the shard leaves a child slot instead, so flattening the shards in slot order
/// replays the sequential walk exactly. Opaque, redirected and marker directories (Descent.Merged,
/// Descent.Everything) are diffed whole inside the shard that meets them.
/// </summary>
internal sealed class OverlayWalkPlan : WalkPlan
{
    private readonly DirectoryTree _upper;
    private readonly OverlayDiffer _differ;

    public OverlayWalkPlan(string snapshot, DirectoryTree upper, OverlayDiffer differ)
        : base(snapshot, DifferKind.Overlay)
    {
        _upper = upper;
        _differ = differ;
    }

    public override ShardOutcome Classify(ShardSpan span, int maxEntries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(span);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        var at = span.Directory;
        try
        {
            var entries = span.Entries ?? _upper.List(span.Directory);
            var sink = new ShardSink();
            var children = new List<ShardSpan>();
            var here = Math.Min(entries.Count, maxEntries);
            for (var i = 0; i < here; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                at = PathBytes.Join(span.Directory, entries[i].Name);
                switch (_differ.Classify(at, entries[i].Status, sink))
                {
                    case OverlayDiffer.Descent.Upper:
                        sink.AddChild(children.Count);
                        children.Add(new ShardSpan(at, null));
                        break;
                    case { } whole:
                        _differ.Descend(at, whole, sink, cancellationToken);
                        break;
                    default:
                        break;
                }
            }

            if (here < entries.Count)
            {
                at = span.Directory;
                SplitRest(span.Directory, entries, here, maxEntries, sink, children);
            }

            return new ShardOutcome(sink.Items, children);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw Failed(at, e);
        }
    }

    /// <summary>
    /// The entries after the first range become range shards in order, after everything the first
    /// range produced: the sequential walk reaches them only once the earlier names (and their
    /// subtrees) are done.
    /// </summary>
    private static void SplitRest(byte[] directory, IReadOnlyList<DirEntry> entries, int from, int maxEntries, ShardSink sink, List<ShardSpan> children)
    {
        var all = entries as DirEntry[] ?? [.. entries];
        for (var start = from; start < all.Length; start += maxEntries)
        {
            sink.AddChild(children.Count);
            children.Add(new ShardSpan(directory, new ArraySegment<DirEntry>(all, start, Math.Min(maxEntries, all.Length - start))));
        }
    }
}
