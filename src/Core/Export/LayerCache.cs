using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Layers.LazyPull;
using ParallelDiff.Core.Oci;

namespace ParallelDiff.Core.Export;

/// <summary>
/// A --cache directory, shared by runs and by concurrent exports: the layers of snapshots exported
/// before, by <see cref="SnapshotCacheKeys">key</see>, so that one unchanged since is not read at
/// all; and the compressed frames of the per-file-frame formats (<see cref="DiskFrames"/>), so that
/// a file compressed before is not compressed again. Its blobs are kept as an OCI layout's are
/// (blobs/sha256/HEX, records in .paralleldiff/layers), named by a link to the output's blob where
/// the two share a file system. Nothing in it is trusted on its name: a blob is re-hashed before it
/// is reused, a frame checked against the digest stored with it.
/// </summary>
public sealed partial class LayerCache
{
    private readonly OciLayout _store;
    private readonly StoredLayers _records;
    private readonly StoredBlobs _blobs;
    private long _addedBytes;

    private LayerCache(string root, long capacity, FrameCache frames)
    {
        Root = root;
        Capacity = capacity;
        Frames = frames;
        _store = OciLayout.Open(root);
        _records = new StoredLayers(_store);
        _blobs = new StoredBlobs(_store);
    }

    public string Root { get; }

    /// <summary>The size its blobs and frames are trimmed to (paralleldiff.cache.size, --cache-size).</summary>
    public long Capacity { get; }

    /// <summary>The frame cache: this process's memory over the directory's frames.</summary>
    public FrameCache Frames { get; }

    /// <param name="memoryCapacity">The frame cache's memory tier (paralleldiff.cache.memory).</param>
    /// <param name="diskFrameMinBytes">The smallest frame kept on disk (paralleldiff.cache.disk-frame-min).</param>
    /// <param name="spill">Where the frame cache puts frames once its memory tier is full, or null.</param>
    /// <exception cref="IOException">The directory cannot be made or is not a cache.</exception>
    public static LayerCache Open(string directory, long capacity, long memoryCapacity, int diskFrameMinBytes, SpillFrames? spill = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var root = Path.GetFullPath(directory);
        if (File.Exists(root))
        {
            throw new IOException($"--cache {directory}: a file, not a directory");
        }

        Directory.CreateDirectory(root);
        return new LayerCache(root, capacity, new FrameCache(memoryCapacity, new DiskFrames(Path.Combine(root, "frames"), diskFrameMinBytes), spill));
    }

    /// <summary>
    /// The layer the cache holds for <paramref name="key"/>, its blob re-hashed and then placed in
    /// <paramref name="target"/> (linked or copied under its digest; synced with
    /// <paramref name="pending"/>'s group, or before this returns when that is null); null when it
    /// holds none, none intact (<paramref name="warn"/> is told of a damaged one), or one whose
    /// consulted lower paths no longer print as they did (<see cref="ConsultedLowers"/>: checked
    /// first, by lstat alone).
    /// </summary>
    /// <param name="lowerPrints">The run's prints of lower paths, each taken once (a bulk export's); null looks at every path now.</param>
    public LayerExportResult? TryTake(SnapshotCacheKey key, OciLayout target, PendingBlobs? pending, Action<string> warn, LowerPrints? lowerPrints = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(warn);
        var stored = _records.Read(key.Lookup, out var why);
        if (stored is not null && key.ConsultsLowers && !StillHolds(key, stored.Consulted, lowerPrints))
        {
            return null;
        }

        if (stored is not null && StoredLayers.Fault(stored, _blobs) is { } fault)
        {
            (stored, why) = (null, fault);
        }

        if (why is not null && !why.EndsWith("is missing", StringComparison.Ordinal))
        {
            // Missing is what eviction leaves, not news; damage is.
            warn($"--cache {Root}: {why}; exporting it again");
        }

        if (stored?.Report.Layer is not { } layer)
        {
            return null;
        }

        MarkUsed(layer.Digest);
        if (!target.TryLinkBlob(_store, layer.Digest, layer.Size, pending))
        {
            var cached = _store.BlobPath(layer.Digest);
            var staging = LayoutStaging.NewBlobPath(target);
            try
            {
                FileLink.LinkOrCopy(cached, staging);
            }
            catch (FileNotFoundException)
            {
                // Trimmed by another export since it was checked: a miss, exported again.
                File.Delete(staging);
                return null;
            }

            try
            {
                if (pending is null)
                {
                    PathSync.Fsync(staging, Native.LibC.O_RDONLY, "open for fsync", "fsync");
                    target.AddStagedBlob(staging, layer.Digest, layer.Size);
                }
                else
                {
                    target.AddStagedBlob(staging, layer.Digest, layer.Size, pending);
                }
            }
            finally
            {
                File.Delete(staging);
            }
        }

        // No file data was read for it: what a report calls bytes in.
        var report = stored.Report;
        var differ = report.Differ == "walking" ? Diff.DifferKind.Walking : Diff.DifferKind.Overlay;
        return new LayerExportResult(layer, new LayerTarResult(differ, report.Entries, DataBytes: 0), report.TarBytes);
    }

    /// <summary>Moves a blob up the eviction order (<see cref="RecentUse"/>), by name in the blobs directory held open when it can be.</summary>
    private void MarkUsed(string digest)
    {
        if (_store.BlobDirectoryHandle is { } blobs)
        {
            RecentUse.Mark(blobs, OciDigest.HexSpan(digest));
        }
        else
        {
            RecentUse.Mark(_store.BlobPath(digest));
        }
    }

    /// <summary>
    /// Whether the record's consulted paths are the key's lowers' and still print as they did: a
    /// record without them (or of other roots) cannot say what its layer read, and is not taken.
    /// </summary>
    private static bool StillHolds(SnapshotCacheKey key, ConsultedLowers? consulted, LowerPrints? lowerPrints) =>
        consulted is not null
        && SameRoots(consulted.Lowers, key.Lowers)
        && (lowerPrints is null ? consulted.StillHolds(LinuxFileSystem.Instance) : consulted.StillHolds(lowerPrints));

    /// <summary>Whether the record's roots are the key's distinct lowers in order (a lower given twice counts once); a loop, as this runs for every snapshot of a warm export.</summary>
    private static bool SameRoots(IReadOnlyList<ConsultedLower> consulted, IReadOnlyList<byte[]> lowers)
    {
        var next = 0;
        for (var i = 0; i < lowers.Count; i++)
        {
            var seen = false;
            for (var j = 0; j < i && !seen; j++)
            {
                seen = lowers[j].AsSpan().SequenceEqual(lowers[i]);
            }

            if (seen)
            {
                continue;
            }

            if (next == consulted.Count || !consulted[next].Root.AsSpan().SequenceEqual(lowers[i]))
            {
                return false;
            }

            next++;
        }

        return next == consulted.Count;
    }

    /// <summary>
    /// Keeps a layer just exported for later runs: its blob (at <paramref name="blobPath"/>, whole
    /// and named by its digest) linked or copied in, then the record that names it and the lower
    /// paths it depends on. A cache that cannot take it (a full disk) costs the next run an export,
    /// never this one its layer.
    /// </summary>
    /// <param name="consulted">What the export consulted in the lowers (<see cref="ConsultedLowersRecorder.Finish"/>); required when the key has lowers.</param>
    /// <returns>Why it was not kept, or null.</returns>
    public string? Keep(SnapshotCacheKey key, ConsultedLowers? consulted, LayerExportResult result, string blobPath)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(result);
        if (key.ConsultsLowers && consulted is null)
        {
            throw new ArgumentException("a snapshot with lowers is kept with the lower paths it consulted", nameof(consulted));
        }

        var cached = _store.BlobPath(result.Descriptor.Digest);
        try
        {
            if (LinkIn(blobPath, cached))
            {
                Interlocked.Add(ref _addedBytes, result.Descriptor.Size);
            }

            _records.Record(key.Lookup, SnapshotReport.Exported(string.Empty, null, result, 0), durable: false, consulted);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"--cache {Root}: not kept ({e.Message})";
        }
    }

    /// <summary>Bytes of blobs and frames this object put into the directory.</summary>
    public long AddedBytes => Interlocked.Read(ref _addedBytes) + (Frames.Disk?.AddedBytes ?? 0);

    /// <summary>
    /// Brings the cache under <see cref="Capacity"/>, least recently used first (<see cref="CacheTrim"/>),
    /// and records what it left (<see cref="CacheSizeRecord"/>). When nothing was added through this
    /// object and the last trim's record fits the cap, the cache is not walked: its size is the record's.
    /// </summary>
    public CacheTrimResult Trim()
    {
        if (AddedBytes == 0 && CacheSizeRecord.Read(Root) is { } recorded && recorded <= Capacity)
        {
            return new CacheTrimResult(recorded, recorded, 0, Walked: false);
        }

        var result = CacheTrim.Run([Path.Combine(Root, "blobs", "sha256"), Frames.Disk!.Directory], Capacity);
        CacheSizeRecord.Write(Root, result.BytesAfter);
        return result;
    }
}
