using Akka;
using Akka.Streams.Dsl;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Streams;

/// <summary>
/// Core's <see cref="ChangeWriter"/> as a flow: changes in the walk's order in, tar entries in
/// final order out (parents injected, hard links resolved, whiteouts named, sockets dropped).
/// The writer is stateful and order-sensitive, so it runs once per materialization, sequentially.
/// </summary>
public static class ChangeWriterFlow
{
    /// <param name="parents">The new tree, stat'ed for directories the writer injects as parents.</param>
    public static Flow<Change, LayerEntry, NotUsed> Create(ISnapshotTree parents, ChangeWriterOptions options)
    {
        ArgumentNullException.ThrowIfNull(parents);
        ArgumentNullException.ThrowIfNull(options);
        // The injected-parent lstat is a metadata call on a directory the differ has just walked
        // (a dentry-cache hit), cheap enough to stay on the stream's own dispatcher.
        return Flow.Create<Change>()
            .StatefulSelectMany<Change, Change, LayerEntry, NotUsed>(() =>
            {
                var entries = new EntryBuffer();
                var writer = new ChangeWriter(entries, parents, options);
                return change =>
                {
                    writer.Handle(change);
                    return (IEnumerable<LayerEntry>)entries.Drain();
                };
            })
            .Named("changeWriter");
    }

    /// <summary>Collects what one Handle call wrote (none, one, or parents + entry + pending links).</summary>
    private sealed class EntryBuffer : ILayerEntrySink
    {
        private readonly List<LayerEntry> _entries = [];

        public void Write(LayerEntry entry) => _entries.Add(entry);

        public LayerEntry[] Drain()
        {
            if (_entries.Count == 0)
            {
                return [];
            }

            var drained = _entries.ToArray();
            _entries.Clear();
            return drained;
        }
    }
}
