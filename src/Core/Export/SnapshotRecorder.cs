using System.Diagnostics;
using ParallelDiff.Core.Oci;

namespace ParallelDiff.Core.Export;

/// <summary>
/// Records the snapshots of a bulk export as they finish, in groups: every snapshot that finished
/// while the previous group was being recorded gets its tag in one update of index.json and its line
/// in one journal append with one fsync, instead of an index rewrite and an fsync each. The index
/// alone, rewritten whole for every snapshot, made a 1,000-snapshot export quadratic; the groups grow
/// as that rewrite grows, so its cost per snapshot stays flat.
/// <para>
/// The order is what resume relies on. A snapshot reaches the recorder with its layer, config and
/// manifest blobs in the layout under their names, listed in <see cref="PendingBlobs"/> until they are
/// synced. A group's blobs are made durable first (one fsync per blob file and one of blobs/sha256 for
/// the whole group, rather than two per blob on the exporting thread), its tags next (index.json
/// replaced atomically, in ref-name order: fsync, rename, directory fsync), and its journal lines last. So a tag never
/// names a blob, and a line that says done never names a blob or a tag, that a crash could take back;
/// a crash before the line only makes the rerun export that snapshot again, with the same bytes.
/// </para>
/// </summary>
public sealed class SnapshotRecorder
{
    private readonly OciLayout _layout;
    private readonly ExportJournal _journal;
    private readonly PendingBlobs _pending;
    private readonly TimeSpan _groupInterval;

    // Finished snapshots wait here, under the monitor of _gate, which also wakes the recording
    // thread. Not a channel: its reader's wake-up is a thread-pool work item, and while the pool's
    // threads were all busy taking snapshots from a --cache directory it never ran, so all 1,000
    // snapshots of a warm export were recorded after the last one, in one group on one core.
    private readonly object _gate = new();
    private List<Finished> _queued = [];

    // Whether the recording thread waits for a snapshot (not in the pause after a group): only
    // then does a queued one wake it. Woken in the pause too, it took the monitor, found the pause
    // not over and slept again, once for every few snapshots of a warm export, each time
    // preempting an exporting thread on a machine whose cores they keep busy.
    private bool _waitingForWork;
    private bool _closed;
    private Exception? _failure;
    private readonly Task _recording;

    /// <param name="pending">Where the snapshots' blobs are listed until synced; synced before each group's tags.</param>
    /// <param name="groupInterval">
    /// The least time from the start of one group to the start of the next, so that a group gathers
    /// the snapshots that finish meanwhile; <see cref="TimeSpan.Zero"/> records whatever is queued
    /// as soon as the previous group is done.
    /// </param>
    public SnapshotRecorder(OciLayout layout, ExportJournal journal, PendingBlobs pending, TimeSpan groupInterval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(groupInterval, TimeSpan.Zero);
        _layout = layout;
        _journal = journal;
        _pending = pending;
        _groupInterval = groupInterval;
        // A thread of its own: a group blocks in fsync and syncfs for milliseconds, and on a pool
        // thread that starved an export's second worker (two cores give the pool two threads and it
        // adds more only after half a second): a warm export of 1,000 snapshots ran on one core.
        _recording = Task.Factory.StartNew(RecordLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Queues a finished snapshot; <paramref name="recorded"/> gets its report once its line is durable.</summary>
    /// <param name="entry">Its journal entry (done or failed).</param>
    /// <param name="image">The image to tag, whose blobs are in the layout and listed in the recorder's <see cref="PendingBlobs"/> if not yet durable; null for a failed snapshot.</param>
    /// <param name="recorded">Called on the recorder's thread with the report as recorded: failed if the tag could not be written.</param>
    /// <exception cref="InvalidOperationException">Recording has stopped: <see cref="CompleteAsync"/> was called, or the journal failed.</exception>
    public void Record(JournalEntry entry, OciImage? image, Action<SnapshotReport> recorded)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(recorded);
        // Written here, on the thread that finished the snapshot, not by the recorder (JournalLine).
        var line = JournalLine.Of(entry);
        lock (_gate)
        {
            if (_closed)
            {
                throw new InvalidOperationException("the export journal stopped recording", _failure);
            }

            _queued.Add(new Finished(line, image, recorded));
            if (_waitingForWork)
            {
                Monitor.Pulse(_gate);
            }
        }
    }

    /// <summary>Records what is queued, then stops.</summary>
    /// <exception cref="IOException">The journal could not be written.</exception>
    public Task CompleteAsync()
    {
        lock (_gate)
        {
            _closed = true;
            Monitor.Pulse(_gate);
        }

        return _recording;
    }

    private void RecordLoop()
    {
        try
        {
            while (NextGroup() is { } group)
            {
                var started = Stopwatch.GetTimestamp();
                RecordGroup(group);

                // Each group rewrites index.json whole and makes four fsyncs of its own: when the
                // recorder keeps up with the exports, groups of one snapshot would pay that for
                // every snapshot. As the index grows so does a group's cost: the next one waits
                // at least three times as long as this one took, so recording keeps to about a
                // quarter of its thread's time (a warm export of 1,000 snapshots is short of cores,
                // not of disk). The wait ends early once no more snapshots will come.
                var ended = Stopwatch.GetTimestamp();
                var took = Stopwatch.GetElapsedTime(started, ended);
                var pause = TimeSpan.FromTicks(Math.Max((_groupInterval - took).Ticks, 3 * took.Ticks));
                lock (_gate)
                {
                    var left = pause - Stopwatch.GetElapsedTime(ended);
                    while (left > TimeSpan.Zero && !_closed)
                    {
                        Monitor.Wait(_gate, left);
                        left = pause - Stopwatch.GetElapsedTime(ended);
                    }
                }
            }
        }
        catch (Exception e)
        {
            lock (_gate)
            {
                (_closed, _failure) = (true, e);
            }

            throw;
        }
    }

    /// <summary>Every snapshot queued so far, once there is one; null once recording is complete and nothing is left.</summary>
    private List<Finished>? NextGroup()
    {
        lock (_gate)
        {
            while (_queued.Count == 0 && !_closed)
            {
                _waitingForWork = true;
                Monitor.Wait(_gate);
                _waitingForWork = false;
            }

            if (_queued.Count == 0)
            {
                return null;
            }

            var group = _queued;
            _queued = [];
            return group;
        }
    }

    private void RecordGroup(List<Finished> group)
    {
        var lines = group.Select(f => f.Line).ToList();
        var tagged = group.Select((f, i) => (f.Image, Index: i)).Where(t => t.Image is not null).ToList();
        if (tagged.Count > 0)
        {
            try
            {
                // Every blob listed before these snapshots were queued, theirs among them, is durable
                // before a tag names it.
                _pending.Sync();
                // Not cancelled: what finished is recorded even when the export is being interrupted.
                // Each group leaves the whole index in ref-name order, as the export's end wants it
                // (LayoutIndexOrder): sorting in the rewrite each group makes anyway costs next to
                // nothing, where the closing sort rewrote and fsynced a 1,000-entry index once more.
                _layout.TagInRefNameOrder(tagged.Select(t => (t.Image!.Manifest, t.Image.RefName)).ToList(), CancellationToken.None);
            }
            catch (Exception e)
            {
                // Each snapshot fails with the cause, as its own Tag call would have. After a failed
                // tag later groups go on; after a failed sync PendingBlobs fails theirs too.
                foreach (var (_, i) in tagged)
                {
                    var entry = lines[i].Entry;
                    lines[i] = JournalLine.Of(entry with { Report = SnapshotReport.Failed(entry.Report.Id, entry.Report.Source, entry.Report.Seconds, e) });
                }
            }
        }

        _journal.Append(lines);
        for (var i = 0; i < group.Count; i++)
        {
            group[i].Recorded(lines[i].Entry.Report);
        }
    }

    private sealed record Finished(JournalLine Line, OciImage? Image, Action<SnapshotReport> Recorded);
}
