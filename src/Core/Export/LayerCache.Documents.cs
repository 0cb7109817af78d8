using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Oci;

namespace ParallelDiff.Core.Export;

/// <summary>The small documents of an image (config, manifest), kept in the cache beside its layers.</summary>
public sealed partial class LayerCache
{
    /// <summary>The largest document compared with a cached copy; anything bigger is simply written.</summary>
    private const int DocumentLimit = 1 << 20;

    /// <summary>
    /// Stores an image config or manifest in <paramref name="target"/> as
    /// <see cref="OciLayout.WriteBlob(string, ReadOnlySpan{byte}, PendingBlobs)"/> does, but linked from
    /// the cache when the cache holds the same bytes: a warm export of a thousand small snapshots
    /// otherwise creates two new files per snapshot for documents it wrote the run before, and a
    /// file system's inode allocation is what a new file costs most (a fifth of such an export,
    /// perf). A document the cache lacks is written and then linked into the cache for the runs
    /// after; a cache that cannot take it costs those runs a write, never this one its image.
    /// </summary>
    public OciDescriptor PlaceDocument(OciLayout target, string mediaType, byte[] content, PendingBlobs pending)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(pending);
        var digest = OciDigest.Of(content);
        if (content.Length <= DocumentLimit && HoldsExactly(digest, content) && target.TryLinkBlob(_store, digest, content.Length, pending))
        {
            return new OciDescriptor(mediaType, digest, content.Length);
        }

        var written = target.WriteBlob(mediaType, content, pending);
        KeepDocument(target.BlobPath(digest), _store.BlobPath(digest), content.Length);
        return written;
    }

    /// <summary>Whether the cache's blob of that digest is these very bytes: never trusted on its name.</summary>
    private bool HoldsExactly(string digest, byte[] content)
    {
        // open, pread and close (PlainRead): two documents a snapshot in a warm export.
        using var handle = _store.TryOpenBlob(digest, out _);
        if (handle is null)
        {
            return false;
        }

        try
        {
            // A read that fails is a miss, said nowhere: the cache's root names it well enough.
            using var bytes = PlainRead.ReadAllPooled(handle, _store.Root, content.Length, limit: content.Length);
            return !bytes.IsNull && bytes.Span.SequenceEqual(content);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private void KeepDocument(string blob, string cached, long size)
    {
        try
        {
            if (LinkIn(blob, cached))
            {
                Interlocked.Add(ref _addedBytes, size);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not kept: the next run writes it again.
        }
    }

    /// <summary>Puts a link to (or a copy of) <paramref name="blob"/> at <paramref name="cached"/> unless one is there, renamed into place whole.</summary>
    /// <returns>Whether it put one there (false: one was there already).</returns>
    /// <exception cref="IOException">It could not be linked, copied or renamed.</exception>
    private static bool LinkIn(string blob, string cached)
    {
        if (File.Exists(cached))
        {
            return false;
        }

        var temporary = TempNames.Beside(cached);
        try
        {
            FileLink.LinkOrCopy(blob, temporary);
            File.Move(temporary, cached, overwrite: true);
            return true;
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
