using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Actors.Walk;

/// <summary>
/// The overlay differ's walk cut into shards of about shard-max-entries upper entries each. Each
/// entry is classified in the sequential walk's order; a subdirectory the walk descends into as an
/// upper directory is walked inline while the shard's entry budget lasts, and otherwise left as a
/// child slot for a shard of its own, so flattening the shards in slot order replays the
/// sequential walk exactly. Inlining is what keeps a deep tree of small directories from costing
/// one shard (a message round trip, a task, a queue offer) per directory. Opaque, redirected and
/// marker directories (Descent.Merged, Descent.Everything) are diffed whole where they are met.
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
        var shard = new Shard(_upper, _differ, maxEntries, cancellationToken);
        try
        {
            var entries = span.Entries ?? _upper.ListWithXattrNames(span.Directory);
            var here = Math.Min(entries.Count, maxEntries);
            shard.Walk(span.Directory, entries, here);
            if (here < entries.Count)
            {
                shard.At = span.Directory;
                shard.SplitRest(span.Directory, entries, here);
            }

            return new ShardOutcome(shard.Sink.Items, shard.Children);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw Failed(shard.At ?? span.Directory, e);
        }
    }

    /// <summary>One shard's work in progress: its items, its child shards, and the entries it may still classify.</summary>
    private sealed class Shard
    {
        private readonly DirectoryTree _upper;
        private readonly OverlayDiffer _differ;
        private readonly int _maxEntries;
        private readonly CancellationToken _cancellationToken;
        private int _budget;

        public Shard(DirectoryTree upper, OverlayDiffer differ, int maxEntries, CancellationToken cancellationToken)
        {
            _upper = upper;
            _differ = differ;
            _maxEntries = maxEntries;
            _cancellationToken = cancellationToken;
            _budget = maxEntries;
        }

        public ShardSink Sink { get; } = new();

        public List<ShardSpan> Children { get; } = [];

        /// <summary>The path being worked on, for the error message.</summary>
        public byte[]? At { get; set; }

        /// <summary>Classifies the first <paramref name="count"/> entries of <paramref name="directory"/>, descending as the sequential walk does.</summary>
        public void Walk(byte[] directory, IReadOnlyList<DirEntry> entries, int count)
        {
            for (var i = 0; i < count; i++)
            {
                _cancellationToken.ThrowIfCancellationRequested();
                var path = PathBytes.Join(directory, entries[i].Name);
                At = path;
                _budget--;
                switch (_differ.Classify(path, entries[i], Sink))
                {
                    case OverlayDiffer.Descent.Upper:
                        Enter(path);
                        break;
                    case { } whole:
                        _differ.Descend(path, whole, Sink, _cancellationToken);
                        break;
                    default:
                        break;
                }
            }
        }

        /// <summary>
        /// The entries after the first range become range shards in order, after everything the
        /// first range produced: the sequential walk reaches them only once the earlier names (and
        /// their subtrees) are done.
        /// </summary>
        public void SplitRest(byte[] directory, IReadOnlyList<DirEntry> entries, int from)
        {
            var all = entries as DirEntry[] ?? [.. entries];
            for (var start = from; start < all.Length; start += _maxEntries)
            {
                AddChild(new ShardSpan(directory, new ArraySegment<DirEntry>(all, start, Math.Min(_maxEntries, all.Length - start))));
            }
        }

        /// <summary>An upper subdirectory: inline if the budget holds all its entries, else a shard of its own (listing already read).</summary>
        private void Enter(byte[] directory)
        {
            var entries = _upper.ListWithXattrNames(directory);
            if (entries.Count <= _budget)
            {
                Walk(directory, entries, entries.Count);
            }
            else
            {
                AddChild(new ShardSpan(directory, entries));
            }
        }

        private void AddChild(ShardSpan span)
        {
            Sink.AddChild(Children.Count);
            Children.Add(span);
        }
    }
}
