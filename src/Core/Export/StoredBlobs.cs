using System.Collections.Concurrent;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Oci;

namespace ParallelDiff.Core.Export;

/// <summary>
/// What a resume finds when it checks the blobs a journal entry names: each blob is looked at once
/// per run (several images may share a config or a layer), by its size and then by the sha256 of its
/// bytes. The size alone misses a flipped byte, and the digest is what OCI promises a reader; hashing
/// runs at about 1 GB/s a core, a small price next to exporting the layer again, so nothing is
/// trusted on its name. Safe to use from many threads.
/// </summary>
public sealed class StoredBlobs(OciLayout layout)
{
    // By digest and size, a tuple: a "digest/size" string for the key was made for every blob
    // looked at, and kept as long as the verdict (a warm --cache export checks one a snapshot).
    private readonly ConcurrentDictionary<(string Digest, long Size), Lazy<string?>> _verdicts = new();
    private readonly ConcurrentDictionary<string, byte> _damaged = new(StringComparer.Ordinal);

    /// <summary>The layout whose blobs are checked.</summary>
    public OciLayout Layout => layout;

    /// <summary>Blobs found present but with the wrong size or bytes: a rerun removes them before writing them again.</summary>
    public IReadOnlyCollection<string> Damaged => _damaged.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>Why the blob cannot be trusted ("is missing", "is damaged (digest mismatch)"); null when it is intact.</summary>
    public string? Fault(string digest, long size)
    {
        ArgumentNullException.ThrowIfNull(digest);
        return _verdicts.GetOrAdd((digest, size), static (key, blobs) => new Lazy<string?>(() => blobs.Check(key.Digest, key.Size)), this).Value;
    }

    private string? Check(string digest, long size)
    {
        string path;
        try
        {
            path = layout.BlobPath(digest);
        }
        catch (ArgumentException)
        {
            // Not a sha256 digest: not something this tool wrote.
            return "is not a sha256 digest";
        }

        // open, pread and close only (PlainRead): no flock or fstat for a file checked by its digest.
        var handle = layout.TryOpenBlob(digest, out var errno);
        if (handle is null)
        {
            // Not known to be damaged when unreadable, so not removed: the redo's write meets the same cause and fails with it.
            return PlainRead.IsMissing(errno) ? "is missing" : $"cannot be read ({path}: {Errno.Describe(errno)})";
        }

        using (handle)
        {
            try
            {
                var (length, actual) = PlainRead.Sha256(handle, path, size);
                if (length != size)
                {
                    _damaged.TryAdd(digest, 0);
                    return FormattableString.Invariant($"is damaged ({length} bytes, not {size})");
                }

                if (actual != digest)
                {
                    _damaged.TryAdd(digest, 0);
                    return "is damaged (digest mismatch)";
                }
            }
            catch (IOException e)
            {
                return $"cannot be read ({e.Message})";
            }
        }

        return null;
    }
}
