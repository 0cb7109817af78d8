using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Oci;

/// <summary>Blob writes whose fsyncs a <see cref="PendingBlobs"/> makes once for a group, and moves of staged layer blobs.</summary>
public sealed partial class OciLayout
{
    // Digest → size of the blobs this object put in place (PlacedHereBefore).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _placedHere = new(StringComparer.Ordinal);

    /// <summary>
    /// Stores a small document as <see cref="WriteBlob(string, ReadOnlySpan{byte})"/> does, leaving its
    /// fsyncs to <paramref name="pending"/>: nothing may name the blob before <see cref="PendingBlobs.Sync"/>.
    /// </summary>
    public OciDescriptor WriteBlob(string mediaType, ReadOnlySpan<byte> content, PendingBlobs pending)
    {
        ArgumentException.ThrowIfNullOrEmpty(mediaType);
        ArgumentNullException.ThrowIfNull(pending);
        var digest = OciDigest.Of(content);
        var target = BlobPath(digest);
        // Written first and checked against an existing blob only if the name is taken (Place):
        // a new blob, the usual case, costs no look-up.
        var temporary = TempNames.Beside(target);
        try
        {
            // Held open until renamed, as AtomicOutputFile does: a leftover sweep (LayoutStaging) spares open files.
            using var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
            file.Write(content);
            Place(temporary, target, digest, content.Length, pending);
        }
        finally
        {
            File.Delete(temporary);
        }

        return new OciDescriptor(mediaType, digest, content.Length);
    }

    /// <summary>
    /// Moves a layer blob that its writer staged in blobs/sha256 under its digest, trusting the digest
    /// the writer computed from the bytes as it wrote them (the file is not read again; its size is
    /// checked). Its bytes are not synced yet: <paramref name="pending"/> settles them.
    /// </summary>
    /// <exception cref="InvalidDataException">The file's size is not <paramref name="size"/>; it is left where it is.</exception>
    internal void AddStagedBlob(string staging, string digest, long size, PendingBlobs pending)
    {
        ArgumentNullException.ThrowIfNull(pending);
        var target = BlobPath(digest);
        CheckStagedSize(staging, digest, size);
        Place(staging, target, digest, size, pending);
    }

    /// <summary>
    /// As <see cref="AddStagedBlob(string, string, long, PendingBlobs)"/>, for a staged file whose writer
    /// made its bytes durable (AtomicOutputFile): renamed over any blob of that name, directory fsynced.
    /// </summary>
    /// <exception cref="InvalidDataException">The file's size is not <paramref name="size"/>; it is left where it is.</exception>
    internal void AddStagedBlob(string staging, string digest, long size)
    {
        var target = BlobPath(digest);
        CheckStagedSize(staging, digest, size);
        FileRename.Replacing(staging, target);
        PathSync.Fsync(Path.GetDirectoryName(target)!, LibC.O_RDONLY | LibC.O_DIRECTORY, "open for fsync", "fsync");
    }

    /// <summary>
    /// Names a blob whose whole bytes another layout already holds under that digest (a --cache
    /// directory's, checked against the digest by the caller) with a hard link straight under its
    /// digest: a link gives a complete file its name in one step, so it needs no staging name, and
    /// it is one linkat where a staged link took seven calls (link, size check, rename, unlink of the
    /// moved name, stats). Both blob directories are held open, so the link names two files, not two
    /// paths to walk. A name already taken keeps its blob when that is intact, as <see cref="Place"/>
    /// does. The blob is synced with <paramref name="pending"/>'s group, or before this returns without one.
    /// </summary>
    /// <returns>False when no link was made and no intact blob holds the name (another file system, a
    /// damaged blob there): the caller stages a copy.</returns>
    internal bool TryLinkBlob(OciLayout source, string digest, long size, PendingBlobs? pending)
    {
        ArgumentNullException.ThrowIfNull(source);
        int errno;
        var linked = source.BlobDirectoryHandle is { } from && BlobDirectoryHandle is { } to
            ? from.TryLink(OciDigest.HexSpan(digest), to, out errno)
            : FileLink.TryLink(source.BlobPath(digest), BlobPath(digest), out errno);
        if (!linked && !(errno == Errno.EEXIST && HoldsIntact(digest, size)))
        {
            return false;
        }

        _placedHere.TryAdd(digest, size);
        if (pending is null)
        {
            var target = BlobPath(digest);
            PathSync.Fsync(target, LibC.O_RDONLY, "open for fsync", "fsync");
            PathSync.Fsync(Path.GetDirectoryName(target)!, LibC.O_RDONLY | LibC.O_DIRECTORY, "open for fsync", "fsync");
        }
        else
        {
            pending.AddBlob(digest);
        }

        return true;
    }

    /// <summary>Whether the blob of that digest here is the one this object placed, or else re-hashes to it.</summary>
    private bool HoldsIntact(string digest, long size)
    {
        var target = BlobPath(digest);
        return PlacedHereBefore(target, digest, size) || TryVerify(target, digest, out _);
    }

    /// <summary>
    /// Whether this object placed a blob of that digest and size earlier (hashed as it was written)
    /// and it is still there: a layer writer that knows its blob would be those very bytes need not
    /// write it (<see cref="AddPlacedBlob"/>).
    /// </summary>
    internal bool HoldsPlaced(string digest, long size) => PlacedHereBefore(BlobPath(digest), digest, size);

    /// <summary>
    /// Stores a layer whose writer found its blob placed here before (<see cref="HoldsPlaced"/>) and
    /// wrote none: the blob is synced with <paramref name="pending"/>'s group, or now without one, as
    /// a staged blob would be (the writer that placed it may not have synced it yet).
    /// </summary>
    /// <exception cref="IOException">The blob is no longer there.</exception>
    internal void AddPlacedBlob(string digest, long size, PendingBlobs? pending)
    {
        var target = BlobPath(digest);
        if (!PlacedHereBefore(target, digest, size))
        {
            throw new IOException($"{target}: the layer's blob was placed earlier in this run, so it was not written again, but it is gone or changed size; export the snapshot again");
        }

        if (pending is null)
        {
            PathSync.Fsync(target, LibC.O_RDONLY, "open for fsync", "fsync");
        }
        else
        {
            pending.AddBlob(digest);
        }
    }

    /// <summary>
    /// Gives bytes not yet synced their blob name. A new name waits for the group's sync. An existing
    /// blob with the right bytes is kept (and synced with the group: it may be another writer's, not
    /// synced yet); any other is replaced, but only by bytes already on disk.
    /// </summary>
    private void Place(string file, string target, string digest, long size, PendingBlobs pending)
    {
        if (FileRename.TryNew(file, target))
        {
            _placedHere.TryAdd(digest, size);
            pending.AddBlob(digest);
            return;
        }

        if (PlacedHereBefore(target, digest, size) || TryVerify(target, digest, out _))
        {
            File.Delete(file);
            _placedHere.TryAdd(digest, size);
            pending.AddBlob(digest);
            return;
        }

        pending.SyncNow(file);
        FileRename.Replacing(file, target);
        _placedHere.TryAdd(digest, size);
        pending.AddName();
    }

    /// <summary>
    /// Whether this object put the blob in place earlier (hashed as it was written) and a file of
    /// the same size is still there: then it is not read again. Ten copies of one upper in one export
    /// are one 391 MB blob placed once and found nine times; re-hashing it each time was a sixteenth
    /// of what a copy from the frame cache costs.
    /// </summary>
    private bool PlacedHereBefore(string target, string digest, long size) =>
        _placedHere.TryGetValue(digest, out var placed) && placed == size && new FileInfo(target) is { Exists: true } info && info.Length == size;

    private static void CheckStagedSize(string staging, string digest, long size)
    {
        var actual = new FileInfo(staging).Length;
        if (actual != size)
        {
            throw new InvalidDataException($"{staging}: {actual} bytes, but its writer described {size} for {digest}; it was not stored");
        }
    }
}
