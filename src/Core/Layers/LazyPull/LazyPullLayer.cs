using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Diff;

namespace ParallelDiff.Core.Layers.LazyPull;

/// <summary>
/// Writes a zstd:chunked or eStargz layer: the changes through the ChangeWriter, as for any layer,
/// into the format's per-file frame writer. One thread, in tar order, so the bytes depend only on
/// the changes, the level and the block size (the engine sends these formats here whatever the
/// upper's size: ExportEngine.SequentialOnly).
/// </summary>
public static class LazyPullLayer
{
    private const int WriteBufferBytes = 1024 * 1024;

    /// <summary>
    /// File data from which a layer's files are read ahead on a second thread (<see cref="PayloadReadAhead"/>):
    /// below, starting a thread costs more than the overlap gives.
    /// </summary>
    public const long ReadAheadFrom = 8L * 1024 * 1024;

    /// <param name="reuseFrames">
    /// Copy the frame of a file whose data was compressed before instead of compressing it again
    /// (<see cref="FrameCache"/>); the bytes are the same either way.
    /// </param>
    /// <param name="frames">The cache shared with other layers (an export's, or --cache DIR's); null keeps one for this layer alone.</param>
    /// <param name="holdsBlob">
    /// Whether the destination holds a blob of this digest and size already (an OCI layout that
    /// placed it earlier in the run). Asked only of a layer made wholly of cached frames whose recipe
    /// made a blob before (<see cref="FrameCache.TryGetBlob"/>); when it says yes, nothing is written
    /// to <paramref name="blob"/> and BlobHeld is true. Null writes every blob.
    /// </param>
    /// <param name="readAheadFrom">File data from which files are read ahead on a second thread (<see cref="ReadAheadFrom"/>); the bytes are the same either way.</param>
    /// <returns>BlobHeld: the blob was not written, the destination holds it (see <paramref name="holdsBlob"/>).</returns>
    public static (LayerTarResult Result, LayerDescriptor Descriptor, long TarBytes, bool BlobHeld) WriteBlob(
        SnapshotDiff diff, IReadOnlyList<Change> changes, DifferKind differ, LayerOptions options, CompressionSettings compression, Stream blob, CancellationToken cancellationToken, LayerMeter? meter = null, bool reuseFrames = true, FrameCache? frames = null, Func<KnownBlob, bool>? holdsBlob = null, long readAheadFrom = ReadAheadFrom)
    {
        ArgumentNullException.ThrowIfNull(diff);
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(compression);
        if (!compression.Kind.IsLazyPull())
        {
            throw new ArgumentException($"{compression.Kind.ToName()} is not a lazy-pull format", nameof(compression));
        }

        using var metered = meter is null ? null : new MeteredWriteStream(blob, meter);
        // Frames are a file's size (a few KiB for most): written one by one they were a write(2)
        // each, 75,000 for the many-small upper. Flushed, not disposed: that would close the
        // caller's blob stream, which it commits after.
        var gathered = new BufferedStream(metered ?? blob, WriteBufferBytes);
        using var blobDigest = new DigestingStream(gathered, leaveOpen: true);
        using var codec = BlockCodecs.Create(compression.Kind.FrameCodec(), compression.Level);
        var cache = reuseFrames ? frames ?? new FrameCache() : null;
        var cacheCodec = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{compression.Kind.FrameCodec().ToName()}-{compression.Level}");
        using var framed = new FramedBlob(blobDigest, codec, compression.BlockSize, cache, cacheCodec, holdBackCached: holdsBlob is not null);
        using PerFileFrameWriter tar = compression.Kind == LayerCompression.ZstdChunked
            ? new ZstdChunkedWriter(framed, compression.BlockSize, meter, cancellationToken)
            : new EstargzWriter(framed, compression.BlockSize, meter, cancellationToken);
        var writerOptions = options.Writer with { Xattrs = options.Diff.Xattrs };
        int entriesWritten;
        if (changes.Sum(LayerMeter.DataOf) >= readAheadFrom)
        {
            // Disposed after the read-ahead, whose disposal ends the reading thread that uses it.
            using var readerCompressor = tar.CompressorForReader(() => BlockCodecs.Create(compression.Kind.FrameCodec(), compression.Level));
            using var ahead = new PayloadReadAhead(changes, sink => new ChangeWriter(sink, diff.New, writerOptions), compression.BlockSize, cancellationToken, readerCompressor);
            tar.CompressAheadFrom(ahead);
            while (ahead.TryNextEntry(out var entry))
            {
                tar.Write(entry, ahead);
            }

            entriesWritten = ahead.EntriesWritten;
        }
        else
        {
            var writer = new ChangeWriter(tar, diff.New, writerOptions);
            foreach (var change in changes)
            {
                writer.Handle(change);
            }

            entriesWritten = writer.EntriesWritten;
        }

        var annotations = tar.Finish();
        var (made, held) = Settle(framed, cache, holdsBlob, blobDigest, gathered);
        var descriptor = new LayerDescriptor(MediaTypes.ForLayer(compression.Kind), made.Digest, made.Size, made.TarDigest)
        {
            Annotations = annotations,
        };
        return (new LayerTarResult(differ, entriesWritten, tar.DataBytes), descriptor, framed.TarLength, held);
    }

    /// <summary>
    /// Ends the blob once every frame is cut: a copy of a tree written before (held back whole, its
    /// recipe known), when the destination holds its blob, is not written or hashed, nor is its tar
    /// (writing and hashing were a third of such a copy's cost); any other blob is written out and
    /// its recipe remembered.
    /// </summary>
    /// <returns>The blob's digest, size and diffID; Held when it was not written.</returns>
    private static (KnownBlob Made, bool Held) Settle(FramedBlob framed, FrameCache? cache, Func<KnownBlob, bool>? holdsBlob, DigestingStream blobDigest, Stream gathered)
    {
        var recipe = framed.RecipeDigest;
        KnownBlob? known = framed.HeldBack && recipe is not null && cache!.TryGetBlob(recipe, out var before) && before.Size == framed.Offset ? before : null;
        if (known is { } same && holdsBlob is not null && holdsBlob(same))
        {
            framed.DropHeldBack(same.TarDigest);
            return (same, true);
        }

        framed.WriteHeldBack(known?.TarDigest);
        blobDigest.Flush();
        gathered.Flush();
        var made = new KnownBlob(blobDigest.Digest, blobDigest.Length, framed.TarDigest);
        if (known is { } earlier && earlier.Digest != made.Digest)
        {
            throw new InvalidOperationException($"the blob of recipe {recipe} was {earlier.Digest} before and is {made.Digest} now: the frame cache gave other bytes for the same keys");
        }

        if (recipe is not null)
        {
            cache!.AddBlob(recipe, made);
        }

        return (made, false);
    }
}
