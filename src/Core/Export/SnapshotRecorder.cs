using System.Threading.Channels;
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
/// manifest blobs already durable (each an atomic, fsynced write, its directory fsynced). Its tag is
/// made durable next (index.json replaced atomically: fsync, rename, directory fsync), and its journal
/// line last. So a line that says done never names a blob or a tag that a crash could take back, and a
/// crash before the line only makes the rerun export that snapshot again, with the same bytes.
/// </para>
/// </summary>
public sealed class SnapshotRecorder
{
    private readonly OciLayout _layout;
    private readonly ExportJournal _journal;
    private readonly Channel<Finished> _finished = Channel.CreateUnbounded<Finished>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _recording;

    public SnapshotRecorder(OciLayout layout, ExportJournal journal)
    {
        _layout = layout;
        _journal = journal;
        _recording = Task.Run(RecordAsync);
    }

    /// <summary>Queues a finished snapshot; <paramref name="recorded"/> gets its report once its line is durable.</summary>
    /// <param name="entry">Its journal entry (done or failed).</param>
    /// <param name="image">The image to tag, whose blobs are durable in the layout; null for a failed snapshot.</param>
    /// <param name="recorded">Called on the recorder's thread with the report as recorded: failed if the tag could not be written.</param>
    /// <exception cref="InvalidOperationException">Recording has stopped: <see cref="CompleteAsync"/> was called, or the journal failed.</exception>
    public void Record(JournalEntry entry, OciImage? image, Action<SnapshotReport> recorded)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(recorded);
        if (!_finished.Writer.TryWrite(new Finished(entry, image, recorded)))
        {
            throw new InvalidOperationException("the export journal stopped recording", _recording.Exception?.InnerException);
        }
    }

    /// <summary>Records what is queued, then stops.</summary>
    /// <exception cref="IOException">The journal could not be written.</exception>
    public Task CompleteAsync()
    {
        _finished.Writer.TryComplete();
        return _recording;
    }

    private async Task RecordAsync()
    {
        var group = new List<Finished>();
        try
        {
            while (await _finished.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (_finished.Reader.TryRead(out var snapshot))
                {
                    group.Add(snapshot);
                }

                RecordGroup(group);
                group.Clear();
            }
        }
        catch (Exception e)
        {
            _finished.Writer.TryComplete(e);
            throw;
        }
    }

    private void RecordGroup(List<Finished> group)
    {
        var entries = group.Select(f => f.Entry).ToList();
        var tagged = group.Select((f, i) => (f.Image, Index: i)).Where(t => t.Image is not null).ToList();
        if (tagged.Count > 0)
        {
            try
            {
                // Not cancelled: what finished is recorded even when the export is being interrupted.
                _layout.Tag(tagged.Select(t => (t.Image!.Manifest, t.Image.RefName)).ToList(), CancellationToken.None);
            }
            catch (Exception e)
            {
                // Each snapshot fails with the cause, as its own Tag call would have; the others go on.
                foreach (var (_, i) in tagged)
                {
                    var report = entries[i].Report;
                    entries[i] = entries[i] with { Report = SnapshotReport.Failed(report.Id, report.Source, report.Seconds, e) };
                }
            }
        }

        _journal.Append(entries);
        for (var i = 0; i < group.Count; i++)
        {
            group[i].Recorded(entries[i].Report);
        }
    }

    private sealed record Finished(JournalEntry Entry, OciImage? Image, Action<SnapshotReport> Recorded);
}
