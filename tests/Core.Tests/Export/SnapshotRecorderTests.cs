using ParallelDiff.Core.Export;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Oci;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Export;

/// <summary>The order resume relies on: a group's blobs synced, then its tags, then its journal lines.</summary>
public sealed class SnapshotRecorderTests : IDisposable
{
    private readonly ScratchDirectory _scratch = ScratchDirectory.Create("pd-recorder-");

    public void Dispose() => _scratch.Dispose();

    private static HashSet<string> TaggedNames(OciLayout layout) =>
        layout.Manifests().Select(m => m.Annotations![OciMediaTypes.RefNameAnnotation]).ToHashSet(StringComparer.Ordinal);

    /// <summary>A one-layer image with all three blobs left to <paramref name="pending"/>, as a bulk export writes one.</summary>
    private static (JournalEntry Entry, OciImage Image, string[] Blobs) Snapshot(OciLayout layout, PendingBlobs pending, string id)
    {
        var blob = layout.WriteBlob(MediaTypes.ForLayer(Core.Compression.LayerCompression.None), System.Text.Encoding.UTF8.GetBytes($"layer of {id}"), pending);
        var layer = new LayerDescriptor(blob.MediaType, blob.Digest, blob.Size, blob.Digest);
        var image = ImageWriter.WriteBlobs(layout, [layer], id, pending);
        var report = new SnapshotReport(id, SnapshotStatus.Done) { Layer = layer, Manifest = image.Manifest };
        return (new JournalEntry("sha256:f", report), image, [layer.Digest, image.Config.Digest, image.Manifest.Digest]);
    }

    [Fact]
    public async Task A_snapshots_blobs_should_be_synced_before_its_tag_is_written()
    {
        var layout = OciLayout.Open(Path.Combine(_scratch.Path, "layout"));
        using var journal = ExportJournal.Open(Path.Combine(_scratch.Path, "journal.jsonl"));
        var synced = new List<(string Path, HashSet<string> TaggedThen)>();
        var pending = new PendingBlobs(
            layout,
            files => synced.AddRange(files.Select(path => (path, TaggedNames(layout)))),
            path => synced.Add((path, TaggedNames(layout))));
        var recorder = new SnapshotRecorder(layout, journal, pending, TimeSpan.Zero);
        var taggedWhenRecorded = new Dictionary<string, bool>();

        var snapshots = Enumerable.Range(0, 12).Select(i => Snapshot(layout, pending, $"s{i}")).ToList();
        foreach (var (entry, image, _) in snapshots)
        {
            recorder.Record(entry, image, report => taggedWhenRecorded[report.Id] = TaggedNames(layout).Contains(report.Id));
        }

        await recorder.CompleteAsync();

        var blobDir = Path.Combine(layout.Root, "blobs", "sha256");
        foreach (var (entry, _, blobs) in snapshots)
        {
            var id = entry.Report.Id;
            foreach (var blob in blobs.Select(layout.BlobPath))
            {
                var sync = synced.FindIndex(s => s.Path == blob);
                Assert.True(sync >= 0, $"{id}: {blob} was never synced");
                Assert.DoesNotContain(id, synced[sync].TaggedThen);
                var directory = synced.FindIndex(sync, s => s.Path == blobDir);
                Assert.True(directory > sync, $"{id}: blobs/sha256 was not synced after {blob}");
                Assert.DoesNotContain(id, synced[directory].TaggedThen);
            }

            Assert.True(taggedWhenRecorded[id], $"{id}: reported recorded before it was tagged");
        }

        Assert.Equal(12, TaggedNames(layout).Count);
    }

    /// <summary>Records the snapshots with a recorder on <paramref name="recorderLayout"/> to its end: the reports it gave.</summary>
    private static async Task<List<SnapshotReport>> RecordAllAsync(
        OciLayout recorderLayout, string journalPath, PendingBlobs pending, TimeSpan interval, IEnumerable<(JournalEntry Entry, OciImage Image, string[] Blobs)> snapshots)
    {
        var reports = new List<SnapshotReport>();
        using var journal = ExportJournal.Open(journalPath);
        var recorder = new SnapshotRecorder(recorderLayout, journal, pending, interval);
        foreach (var (entry, image, _) in snapshots)
        {
            recorder.Record(entry, image, reports.Add);
        }

        await recorder.CompleteAsync();
        return reports;
    }

    /// <summary>Each of the three snapshots failed with <paramref name="cause"/>, none is tagged, and the journal's lines say so.</summary>
    private static void AssertAllFailed(List<SnapshotReport> reports, OciLayout layout, string journalPath, string cause)
    {
        Assert.Equal(3, reports.Count);
        Assert.All(reports, r => Assert.Equal(SnapshotStatus.Failed, r.Status));
        Assert.All(reports, r => Assert.Contains(cause, r.Error, StringComparison.Ordinal));
        Assert.Empty(TaggedNames(layout));
        using var reopened = ExportJournal.Open(journalPath);
        Assert.Equal(3, reopened.Latest.Count);
        Assert.All(reopened.Latest.Values, e => Assert.Equal(SnapshotStatus.Failed, e.Report.Status));
        Assert.All(reopened.Latest.Values, e => Assert.Contains(cause, e.Report.Error, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failed_sync_should_fail_the_groups_snapshots_and_tag_none_of_them()
    {
        var layout = OciLayout.Open(Path.Combine(_scratch.Path, "layout"));
        var journalPath = Path.Combine(_scratch.Path, "journal.jsonl");
        var pending = new PendingBlobs(layout, files => throw new FsException("fsync", files.First(), 5), _ => { });

        var reports = await RecordAllAsync(layout, journalPath, pending, TimeSpan.Zero, Enumerable.Range(0, 3).Select(i => Snapshot(layout, pending, $"s{i}")));

        AssertAllFailed(reports, layout, journalPath, "fsync");
    }

    [Fact]
    public async Task A_tag_that_cannot_be_written_should_fail_the_groups_snapshots_with_the_cause_in_their_journal_lines()
    {
        var layout = OciLayout.Open(Path.Combine(_scratch.Path, "layout"));
        var journalPath = Path.Combine(_scratch.Path, "journal.jsonl");
        var synced = 0;
        var pending = new PendingBlobs(layout, files => Interlocked.Add(ref synced, files.Count), _ => { });
        var snapshots = Enumerable.Range(0, 3).Select(i => Snapshot(layout, pending, $"s{i}")).ToList();
        // The manifests are gone before their group is recorded (however the three are grouped):
        // the new index cannot name them.
        snapshots.ForEach(s => File.Delete(layout.BlobPath(s.Image.Manifest.Digest)));

        // Another object on the layout: one that placed the blobs itself trusts them without a look.
        var reports = await RecordAllAsync(OciLayout.Open(layout.Root), journalPath, pending, TimeSpan.FromSeconds(30), snapshots);

        AssertAllFailed(reports, layout, journalPath, "is not stored in the layout");
        Assert.True(synced > 0, "the group's blobs were not synced");

        // The index lock is free again: a tag now goes through.
        layout.Tag(layout.WriteBlob(OciMediaTypes.ImageManifest, "{}"u8), "after");
        Assert.Equal(["after"], TaggedNames(layout));
    }

    [Fact]
    public async Task Snapshots_finishing_within_the_group_interval_should_share_one_group_and_completion_should_not_wait_it_out()
    {
        var layout = OciLayout.Open(Path.Combine(_scratch.Path, "layout"));
        using var journal = ExportJournal.Open(Path.Combine(_scratch.Path, "journal.jsonl"));
        var groups = 0;
        var pending = new PendingBlobs(layout, _ => { }, _ => Interlocked.Increment(ref groups));
        var recorder = new SnapshotRecorder(layout, journal, pending, TimeSpan.FromSeconds(30));
        var first = new TaskCompletionSource();

        // Each snapshot's blobs are written just before it is queued, so each group has blobs to sync.
        var (entry, image, _) = Snapshot(layout, pending, "s0");
        recorder.Record(entry, image, _ => first.SetResult());
        await first.Task.WaitAsync(TimeSpan.FromSeconds(10));
        (entry, image, _) = Snapshot(layout, pending, "s1");
        recorder.Record(entry, image, _ => { });
        // An idle recorder without an interval would record s1 alone by now.
        await Task.Delay(200);
        foreach (var id in new[] { "s2", "s3", "s4" })
        {
            (entry, image, _) = Snapshot(layout, pending, id);
            recorder.Record(entry, image, _ => { });
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await recorder.CompleteAsync();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"completion waited {clock.Elapsed} for the group interval");
        Assert.Equal(2, groups);
        Assert.Equal(5, TaggedNames(layout).Count);
    }

    [Fact]
    public async Task Groups_should_leave_the_index_in_ref_name_order_with_the_bytes_tags_and_a_sort_leave()
    {
        var ids = Enumerable.Range(0, 12).Select(i => $"s{i:D2}").Reverse().ToList();
        var layout = OciLayout.Open(Path.Combine(_scratch.Path, "layout"));
        using var journal = ExportJournal.Open(Path.Combine(_scratch.Path, "journal.jsonl"));
        var pending = new PendingBlobs(layout);
        var recorder = new SnapshotRecorder(layout, journal, pending, TimeSpan.Zero);
        foreach (var id in ids)
        {
            var (entry, image, _) = Snapshot(layout, pending, id);
            recorder.Record(entry, image, _ => { });
        }

        await recorder.CompleteAsync();

        Assert.Equal(ids.Order(StringComparer.Ordinal), layout.Manifests().Select(m => m.Annotations![OciMediaTypes.RefNameAnnotation]));
        Assert.False(LayoutIndexOrder.SortByRefName(layout), "the export's closing sort found the index out of order");

        // The same images tagged one at a time, then sorted: the way before groups sorted.
        var reference = OciLayout.Open(Path.Combine(_scratch.Path, "reference"));
        using var unsynced = new PendingBlobs(reference);
        foreach (var id in ids)
        {
            reference.Tag(Snapshot(reference, unsynced, id).Image.Manifest, id);
        }

        Assert.True(LayoutIndexOrder.SortByRefName(reference));
        Assert.Equal(File.ReadAllBytes(reference.IndexPath), File.ReadAllBytes(layout.IndexPath));
    }
}
