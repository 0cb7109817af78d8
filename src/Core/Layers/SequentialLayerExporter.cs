using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Layers.LazyPull;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Core.Layers;

/// <summary>
/// Writes one layer blob on one thread: diff, tar, diffID tee, block compressor, blob digest
/// tee, temp file, fsync, rename. The reference the parallel pipeline is checked against.
/// </summary>
public static class SequentialLayerExporter
{
    /// <param name="durable">False when the caller makes the blob durable itself (<see cref="AtomicOutputFile.Durable"/>).</param>
    /// <param name="meter">Counts the bytes as they go, for a progress view; optional.</param>
    /// <param name="openBlob">Where the blob goes instead of a file at <paramref name="outputPath"/> (a registry upload, or a file and one); <paramref name="outputPath"/> then only names it.</param>
    /// <param name="frames">The content cache of the per-file-frame formats, shared with other layers; null keeps one for this layer.</param>
    /// <param name="holdsBlob">
    /// For the per-file-frame formats writing to <paramref name="outputPath"/>: whether its
    /// destination holds a blob of this digest and size already. A layer made wholly of cached frames
    /// that made such a blob before is then not written at all (<see cref="LayerExportResult.BlobHeld"/>;
    /// <see cref="LazyPullLayer.WriteBlob"/>).
    /// </param>
    public static LayerExportResult Export(
        Snapshot snapshot, LayerOptions options, CompressionSettings compression, string outputPath, Action<string> warn, CancellationToken cancellationToken, bool durable = true, LayerMeter? meter = null, Func<IBlobTarget>? openBlob = null, FrameCache? frames = null, Func<KnownBlob, bool>? holdsBlob = null)
    {
        // Every input is checked and the whole diff is known before the output file exists.
        var diff = SnapshotDiff.Open(snapshot);
        var changes = LayerTar.Changes(diff, options, warn, cancellationToken, out var differ);
        if (meter is not null)
        {
            foreach (var change in changes)
            {
                meter.AddTotal(LayerMeter.DataOf(change));
            }

            meter.CompleteTotal();
        }

        using var output = openBlob?.Invoke() ?? AtomicOutputFile.Create(outputPath, durable);
        // Only a file written here may be left unwritten; an upload always gets its bytes.
        var written = Write(diff, changes, differ, options, compression, output.Stream, meter, frames, openBlob is null ? holdsBlob : null, cancellationToken);
        if (!written.BlobHeld)
        {
            output.Commit();
        }

        meter?.Finish();
        return new LayerExportResult(written.Descriptor, written.Result, written.TarBytes) { BlobHeld = written.BlobHeld };
    }

    /// <summary>Encodes the changes as a tar, compresses it and digests both, into <paramref name="blob"/>.</summary>
    /// <param name="frames">The lazy-pull formats' content cache (see <see cref="Export"/>); the other formats have no per-file frames.</param>
    public static (LayerTarResult Result, LayerDescriptor Descriptor, long TarBytes) WriteBlob(
        SnapshotDiff diff, IReadOnlyList<Change> changes, DifferKind differ, LayerOptions options, CompressionSettings compression, Stream blob, CancellationToken cancellationToken, LayerMeter? meter = null, FrameCache? frames = null)
    {
        var written = Write(diff, changes, differ, options, compression, blob, meter, frames, holdsBlob: null, cancellationToken);
        return (written.Result, written.Descriptor, written.TarBytes);
    }

    /// <summary>As <see cref="WriteBlob"/>; BlobHeld when <paramref name="holdsBlob"/> said the destination holds the blob, which then was not written.</summary>
    private static (LayerTarResult Result, LayerDescriptor Descriptor, long TarBytes, bool BlobHeld) Write(
        SnapshotDiff diff, IReadOnlyList<Change> changes, DifferKind differ, LayerOptions options, CompressionSettings compression, Stream blob, LayerMeter? meter, FrameCache? frames, Func<KnownBlob, bool>? holdsBlob, CancellationToken cancellationToken)
    {
        if (compression.Kind.IsLazyPull())
        {
            return LazyPullLayer.WriteBlob(diff, changes, differ, options, compression, blob, cancellationToken, meter, frames: frames, holdsBlob: holdsBlob);
        }

        using var metered = meter is null ? null : new MeteredWriteStream(blob, meter);
        using var blobDigest = new DigestingStream(metered ?? blob, leaveOpen: true);
        using var codec = BlockCodecs.Create(compression.Kind, compression.Level);
        using var compressor = new BlockCompressingStream(blobDigest, codec, compression.BlockSize, leaveOpen: true);
        using var tarDigest = new DigestingStream(compressor, leaveOpen: true);
        // Below the large-object threshold (85,000 bytes): file data above the buffer's size
        // passes straight through, so a bigger one would only gather headers.
        using var buffered = new BufferedStream(tarDigest, 64 * 1024);

        var tar = new TarStreamWriter(buffered, cancellationToken, meter);
        var writer = new ChangeWriter(tar, diff.New, options.Writer with { Xattrs = options.Diff.Xattrs });
        foreach (var change in changes)
        {
            writer.Handle(change);
        }

        tar.Finish();
        buffered.Flush();
        compressor.Finish();
        blobDigest.Flush();

        var descriptor = new LayerDescriptor(MediaTypes.ForLayer(compression.Kind), blobDigest.Digest, blobDigest.Length, tarDigest.Digest);
        return (new LayerTarResult(differ, writer.EntriesWritten, tar.DataBytes), descriptor, tarDigest.Length, false);
    }
}
