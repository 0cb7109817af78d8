using Akka.Streams;
using Akka.Streams.Stage;
using ParallelDiff.Core.Diff;

namespace ParallelDiff.Streams;

/// <summary>
/// Replays the shards of a parallel walk, which finish in any order, as the one change sequence
/// the sequential walk would have produced: shard 0's items in order, and at each child slot the
/// whole output of that child, recursively. A change is emitted as soon as every shard before it
/// has arrived, so the tar writer starts while the walk is still running.
/// </summary>
/// <remarks>
/// Only shards that have arrived and are not yet fully emitted are held, plus the path of shards
/// being emitted. Upstream is pulled only when the next change sits in a shard that has not
/// arrived, so a slow tar writer backpressures the walk. Upstream completing while a referenced
/// shard is missing, a shard id arriving twice, or a shard nobody refers to fails the stream:
/// each would otherwise be a silent hole or an extra subtree in the layer.
/// </remarks>
public sealed class OrderedShardMerge : GraphStage<FlowShape<ShardResult, Change>>
{
    private readonly Inlet<ShardResult> _in = new("orderedShardMerge.in");
    private readonly Outlet<Change> _out = new("orderedShardMerge.out");

    public OrderedShardMerge() => Shape = new FlowShape<ShardResult, Change>(_in, _out);

    public override FlowShape<ShardResult, Change> Shape { get; }

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("orderedShardMerge");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private sealed class Logic : GraphStageLogic
    {
        private readonly OrderedShardMerge _stage;
        private readonly Dictionary<int, ShardResult> _arrived = [];
        private readonly Stack<Cursor> _path = new();
        private bool _rootStarted;

        public Logic(OrderedShardMerge stage) : base(stage.Shape)
        {
            _stage = stage;
            SetHandler(stage._in, onPush: OnPush, onUpstreamFinish: Advance);
            SetHandler(stage._out, onPull: Advance);
        }

        private void OnPush()
        {
            var shard = Grab(_stage._in);
            if (!_arrived.TryAdd(shard.ShardId, shard))
            {
                FailStage(new InvalidOperationException($"shard {shard.ShardId} arrived twice"));
                return;
            }

            Advance();
        }

        /// <summary>
        /// Walks the shard tree from where it stopped: pushes the next change if downstream wants
        /// one, descends into arrived children, and pulls when the next child is missing.
        /// </summary>
        private void Advance()
        {
            while (true)
            {
                if (_path.Count == 0)
                {
                    if (_rootStarted)
                    {
                        Finish();
                        return;
                    }

                    if (!_arrived.Remove(0, out var root))
                    {
                        AwaitShard(0, "the root");
                        return;
                    }

                    _rootStarted = true;
                    _path.Push(new Cursor(root));
                    continue;
                }

                var top = _path.Peek();
                if (top.Index == top.Shard.Items.Count)
                {
                    _path.Pop();
                    continue;
                }

                var item = top.Shard.Items[top.Index];
                if (item.Change is { } change)
                {
                    if (!IsAvailable(_stage._out))
                    {
                        return;
                    }

                    top.Index++;
                    Push(_stage._out, change);
                    continue;
                }

                if (!_arrived.Remove(item.ChildShard, out var child))
                {
                    AwaitShard(item.ChildShard, $"a child of shard {top.Shard.ShardId}");
                    return;
                }

                top.Index++;
                _path.Push(new Cursor(child));
            }
        }

        private void AwaitShard(int shardId, string role)
        {
            if (IsClosed(_stage._in))
            {
                FailStage(new InvalidOperationException(
                    $"shard {shardId} ({role}) never arrived: the walk completed without it, so the layer would have a hole"));
            }
            else if (!HasBeenPulled(_stage._in))
            {
                Pull(_stage._in);
            }
        }

        /// <summary>The whole tree is emitted; anything else that arrives belongs to no tree.</summary>
        private void Finish()
        {
            if (_arrived.Count > 0)
            {
                FailStage(new InvalidOperationException(
                    $"shard(s) {string.Join(", ", _arrived.Keys.Order())} arrived but no emitted shard refers to them"));
            }
            else if (IsClosed(_stage._in))
            {
                CompleteStage();
            }
            else if (!HasBeenPulled(_stage._in))
            {
                // Wait for completion; a stray shard arriving instead fails the stream above.
                Pull(_stage._in);
            }
        }
    }

    /// <summary>A shard being emitted and the index of its next item.</summary>
    private sealed class Cursor(ShardResult shard)
    {
        public ShardResult Shard { get; } = shard;

        public int Index { get; set; }
    }
}
