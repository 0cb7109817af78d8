using ParallelDiff.Core.Oci;

namespace ParallelDiff.Core.Export;

/// <summary>
/// When a rerun may skip a snapshot: its journal entry says it was done by the same job with the
/// same settings (fingerprint), and the layout still holds what the entry names — the layer blob
/// with the recorded size, the manifest blob, and the tag pointing at that manifest. Anything less
/// (a blob deleted or truncated, a retag, a changed job) redoes the snapshot, which writes the
/// same bytes again; so a resumed layout ends equal to a clean run's.
/// </summary>
public static class ResumeRules
{
    /// <summary>The manifest digest each ref name points at in the layout's index.json (read once for all jobs).</summary>
    public static IReadOnlyDictionary<string, string> TaggedManifests(OciLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var tagged = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var manifest in layout.Manifests())
        {
            if (manifest.Annotations?.GetValueOrDefault(OciMediaTypes.RefNameAnnotation) is { } name)
            {
                // index.json may list a name twice (another tool); the last entry is the one FindManifest returns.
                tagged[name] = manifest.Digest;
            }
        }

        return tagged;
    }

    /// <summary>The earlier outcome to reuse, marked <see cref="SnapshotStatus.Resumed"/>; null when the job must run.</summary>
    /// <param name="why">When null is returned for a job the journal knows, why it runs again (for messages).</param>
    public static SnapshotReport? CompletedEarlier(
        JournalEntry? entry, string fingerprint, OciLayout layout, IReadOnlyDictionary<string, string> taggedManifests, out string? why) =>
        CompletedEarlier(entry, fingerprint, new StoredBlobs(layout), taggedManifests, out why);

    /// <summary>
    /// The earlier outcome to reuse, marked <see cref="SnapshotStatus.Resumed"/>; null when the job must run.
    /// Every blob of its image (manifest, config, layers) must be present with its size and digest.
    /// </summary>
    /// <param name="blobs">The run's checks of the layout's blobs, shared by all jobs so each blob is hashed once.</param>
    /// <param name="why">When null is returned for a job the journal knows, why it runs again (for messages).</param>
    public static SnapshotReport? CompletedEarlier(
        JournalEntry? entry, string fingerprint, StoredBlobs blobs, IReadOnlyDictionary<string, string> taggedManifests, out string? why)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(taggedManifests);
        why = null;
        if (entry is null)
        {
            return null;
        }

        var report = entry.Report;
        why = report switch
        {
            { Status: SnapshotStatus.Failed } => "it failed before",
            _ when entry.Fingerprint != fingerprint => "its job or settings changed",
            { Layer: null } or { Manifest: null } => "its journal entry names no blob",
            _ when taggedManifests.GetValueOrDefault(report.Id) != report.Manifest.Digest => $"index.json does not tag {report.Manifest.Digest} as {report.Id}",
            _ => ImageBlobs.Fault(blobs, report.Manifest, report.Layer.Digest),
        };
        return why is null ? report with { Status = SnapshotStatus.Resumed } : null;
    }
}
