using ParallelDiff.Core.Export;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Oci;
using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Export;

/// <summary>A journal entry counts for a rerun only while the layout still holds what it names.</summary>
public sealed class ResumeRulesTests : IDisposable
{
    private const string Fingerprint = "sha256:job";
    private readonly ScratchDirectory _scratch = ScratchDirectory.Create("pd-resume-");
    private readonly OciLayout _layout;
    private readonly JournalEntry _entry;

    public ResumeRulesTests()
    {
        var tree = Directory.CreateDirectory(Path.Combine(_scratch.Path, "tree")).FullName;
        File.WriteAllText(Path.Combine(tree, "file"), "content\n");
        _layout = OciLayout.Open(Path.Combine(_scratch.Path, "layout"));
        var blob = Path.Combine(_scratch.Path, "blob");
        var result = SequentialLayerExporter.Export(Snapshot.OfOverlay(tree, []), LayerOptions.Default, CompressionSettings.For(Core.Compression.LayerCompression.Gzip), blob, _ => { }, CancellationToken.None);
        _layout.AddBlobFile(blob, result.Descriptor.Digest, move: true);
        var image = ImageWriter.Write(_layout, [result.Descriptor], "job-1");
        _entry = new JournalEntry(Fingerprint, SnapshotReport.Exported("job-1", "upper=" + tree, result, 0.1) with { Manifest = image.Manifest });
    }

    public void Dispose() => _scratch.Dispose();

    private SnapshotReport? Check(JournalEntry? entry, out string? why, string fingerprint = Fingerprint) =>
        ResumeRules.CompletedEarlier(entry, fingerprint, _layout, ResumeRules.TaggedManifests(_layout), out why);

    [Fact]
    public void A_complete_snapshot_should_be_resumed_as_it_was_recorded()
    {
        var resumed = Check(_entry, out var why);
        Assert.Null(why);
        Assert.Equal(_entry.Report with { Status = SnapshotStatus.Resumed }, resumed);
    }

    [Fact]
    public void A_job_the_journal_does_not_know_should_run()
    {
        Assert.Null(Check(null, out var why));
        Assert.Null(why);
    }

    [Fact]
    public void A_changed_job_or_setting_should_run_again()
    {
        Assert.Null(Check(_entry, out var why, "sha256:other"));
        Assert.Contains("changed", why, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_snapshot_should_run_again()
    {
        Assert.Null(Check(_entry with { Report = _entry.Report with { Status = SnapshotStatus.Failed } }, out var why));
        Assert.Contains("failed", why, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_or_truncated_layer_blob_should_make_it_run_again()
    {
        var blob = _layout.BlobPath(_entry.Report.Layer!.Digest);
        File.WriteAllBytes(blob, File.ReadAllBytes(blob).AsSpan(0, 10).ToArray());
        Assert.Null(Check(_entry, out var why));
        Assert.Contains("layer blob", why, StringComparison.Ordinal);

        File.Delete(blob);
        Assert.Null(Check(_entry, out why));
        Assert.Contains("missing", why, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_manifest_or_a_tag_moved_elsewhere_should_make_it_run_again()
    {
        var other = ImageWriter.Write(_layout, [_entry.Report.Layer!], "job-1", new ImageConfig { Author = "someone else" });
        Assert.Null(Check(_entry, out var why));
        Assert.Contains("does not tag", why, StringComparison.Ordinal);

        _layout.Tag(_entry.Report.Manifest!, "job-1");
        Assert.NotNull(Check(_entry, out _));
        File.Delete(_layout.BlobPath(_entry.Report.Manifest!.Digest));
        Assert.Null(Check(_entry, out why));
        Assert.Contains("manifest", why, StringComparison.Ordinal);
        Assert.NotEqual(other.Manifest.Digest, _entry.Report.Manifest.Digest);
    }

    [Fact]
    public void A_deleted_config_blob_should_make_it_run_again()
    {
        var config = ConfigDigest();
        File.Delete(_layout.BlobPath(config));
        Assert.Null(Check(_entry, out var why));
        Assert.Equal($"config blob {config} is missing", why);
    }

    [Fact]
    public void A_layer_blob_with_one_byte_changed_at_the_same_size_should_make_it_run_again()
    {
        var layer = _entry.Report.Layer!.Digest;
        var bytes = File.ReadAllBytes(_layout.BlobPath(layer));
        bytes[^5] ^= 0x80;
        File.WriteAllBytes(_layout.BlobPath(layer), bytes);
        Assert.Null(Check(_entry, out var why));
        Assert.Equal($"layer blob {layer} is damaged (digest mismatch)", why);
    }

    [Fact]
    public void A_damaged_blob_should_be_listed_once_and_a_missing_one_not_at_all()
    {
        var blobs = new StoredBlobs(_layout);
        var layer = _entry.Report.Layer!;
        File.WriteAllBytes(_layout.BlobPath(layer.Digest), new byte[layer.Size]);
        Assert.Equal("is damaged (digest mismatch)", blobs.Fault(layer.Digest, layer.Size));
        Assert.Equal("is damaged (digest mismatch)", blobs.Fault(layer.Digest, layer.Size));
        Assert.Equal("is missing", blobs.Fault("sha256:" + new string('0', 64), 1));
        Assert.Null(blobs.Fault(_entry.Report.Manifest!.Digest, _entry.Report.Manifest.Size));
        Assert.Equal([layer.Digest], blobs.Damaged);
    }

    private string ConfigDigest()
    {
        using var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(_layout.BlobPath(_entry.Report.Manifest!.Digest)));
        return manifest.RootElement.GetProperty("config").GetProperty("digest").GetString()!;
    }
}
