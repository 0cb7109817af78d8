using System.Text;
using ParallelDiff.Core.Export;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Export;

public sealed class ExportJournalTests : IDisposable
{
    private readonly ScratchDirectory _scratch = ScratchDirectory.Create("pd-journal-");

    public void Dispose() => _scratch.Dispose();

    private string JournalPath => Path.Combine(_scratch.Path, "export.journal.jsonl");

    private static JournalEntry Done(string id, string fingerprint = "sha256:f") => new(fingerprint, new SnapshotReport(id, SnapshotStatus.Done)
    {
        Source = "upper=/u",
        Layer = new LayerDescriptor("application/vnd.oci.image.layer.v1.tar+gzip", "sha256:" + new string('a', 64), 123, "sha256:" + new string('b', 64)),
        Manifest = new Core.Oci.OciDescriptor("application/vnd.oci.image.manifest.v1+json", "sha256:" + new string('c', 64), 400),
        Differ = "overlay",
        Entries = 3,
        BytesIn = 10,
        TarBytes = 3072,
        BytesOut = 123,
        Seconds = 0.5,
    });

    [Fact]
    public void Reopened_journal_should_hold_the_last_entry_of_each_id()
    {
        using (var journal = ExportJournal.Open(JournalPath))
        {
            Assert.Empty(journal.Latest);
            journal.Append(Done("a", "sha256:old"));
            journal.Append(Done("b"));
            journal.Append(Done("a", "sha256:new"));
        }

        using var reopened = ExportJournal.Open(JournalPath);
        Assert.Equal(2, reopened.Latest.Count);
        Assert.Equal("sha256:new", reopened.Latest["a"].Fingerprint);
        Assert.Equal(Done("b").Report, reopened.Latest["b"].Report);
    }

    [Fact]
    public void Lines_made_ahead_should_append_as_a_group_with_the_bytes_entries_appended_one_by_one_have()
    {
        var oneByOne = Path.Combine(_scratch.Path, "one-by-one.jsonl");
        using (var journal = ExportJournal.Open(oneByOne))
        {
            journal.Append(Done("a"));
            journal.Append(Done("b", "sha256:other"));
        }

        using (var journal = ExportJournal.Open(JournalPath))
        {
            journal.Append([JournalLine.Of(Done("a")), JournalLine.Of(Done("b", "sha256:other"))]);
        }

        Assert.Equal(File.ReadAllBytes(oneByOne), File.ReadAllBytes(JournalPath));
        using var reopened = ExportJournal.Open(JournalPath);
        Assert.Equal("sha256:other", reopened.Latest["b"].Fingerprint);
        Assert.Equal(Done("a").Report, reopened.Latest["a"].Report);
    }

    [Fact]
    public void A_line_cut_short_by_a_kill_should_be_dropped_and_the_next_entry_start_clean()
    {
        File.WriteAllBytes(JournalPath, [.. ExportJournal.ToLine(Done("a")), .. ExportJournal.ToLine(Done("b")).AsSpan(0, 40)]);

        using (var journal = ExportJournal.Open(JournalPath))
        {
            Assert.Equal(["a"], journal.Latest.Keys);
            journal.Append(Done("c"));
        }

        using (var reopened = ExportJournal.Open(JournalPath))
        {
            Assert.Equal(["a", "c"], reopened.Latest.Keys.Order());
        }

        Assert.Equal(2, File.ReadAllLines(JournalPath).Length);
    }

    [Fact]
    public void A_complete_line_that_is_not_an_entry_should_be_refused_naming_its_line()
    {
        File.WriteAllText(JournalPath, Encoding.UTF8.GetString(ExportJournal.ToLine(Done("a"))) + "{\"not\":\"an entry\"}\n");
        var e = Assert.Throws<InvalidDataException>(() => ExportJournal.Open(JournalPath));
        Assert.Contains(":2: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_journal_in_use_by_another_export_should_not_open()
    {
        using var first = ExportJournal.Open(JournalPath);
        var e = Assert.Throws<IOException>(() => ExportJournal.Open(JournalPath));
        Assert.Contains("another export", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Failed_entries_should_keep_their_cause()
    {
        using (var journal = ExportJournal.Open(JournalPath))
        {
            journal.Append(new JournalEntry("sha256:f", new SnapshotReport("x", SnapshotStatus.Failed) { Error = "--upper /x: no such file or directory (ENOENT)" }));
        }

        using var reopened = ExportJournal.Open(JournalPath);
        Assert.Equal(SnapshotStatus.Failed, reopened.Latest["x"].Report.Status);
        Assert.Equal("--upper /x: no such file or directory (ENOENT)", reopened.Latest["x"].Report.Error);
    }
}
