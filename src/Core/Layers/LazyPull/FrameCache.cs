using System.Collections.Concurrent;

namespace ParallelDiff.Core.Layers.LazyPull;

/// <summary>
/// Issue 15's content cache: compressed frames of file data already written, by what they hold
/// (the sha256 and length of the frame's uncompressed bytes) and by codec and level. A file whose
/// data was compressed before is not compressed again; its frame is copied. The codecs are
/// deterministic, so a copied frame is the very bytes compressing would give, and a layer is the
/// same with the cache or without, warm or cold.
/// <para>
/// Two tiers: memory, for one process (the ten copies of one upper in one export), which stops
/// keeping frames once <see cref="MemoryCapacity"/> bytes are kept; and, when given, a
/// <see cref="DiskFrames"/> store that outlives the process. Safe to use from many threads: every
/// layer of an export shares one cache.
/// </para>
/// </summary>
public sealed class FrameCache(long memoryCapacity = FrameCache.DefaultMemoryCapacity, DiskFrames? disk = null)
{
    /// <summary>The memory tier's size when nothing says otherwise (paralleldiff.cache.memory).</summary>
    public const long DefaultMemoryCapacity = 256L * 1024 * 1024;

    private readonly ConcurrentDictionary<string, byte[]> _frames = new(StringComparer.Ordinal);
    private long _kept;
    private int _memoryHits;
    private int _diskHits;
    private int _misses;

    public long MemoryCapacity { get; } = memoryCapacity;

    /// <summary>The store across runs (--cache DIR), or null.</summary>
    public DiskFrames? Disk { get; } = disk;

    /// <summary>Frames copied from memory instead of compressed.</summary>
    public int MemoryHits => Volatile.Read(ref _memoryHits);

    /// <summary>Frames copied from <see cref="Disk"/> instead of compressed.</summary>
    public int DiskHits => Volatile.Read(ref _diskHits);

    /// <summary>Frames looked up and not found (then compressed).</summary>
    public int Misses => Volatile.Read(ref _misses);

    /// <summary>All hits, of both tiers.</summary>
    public int Hits => MemoryHits + DiskHits;

    /// <param name="key">Codec, level and content, as <see cref="KeyOf"/> makes it.</param>
    /// <param name="uncompressedLength">The frame's uncompressed bytes: the disk tier keeps only frames worth a file.</param>
    public bool TryGet(string key, int uncompressedLength, out byte[] frame)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_frames.TryGetValue(key, out frame!))
        {
            Interlocked.Increment(ref _memoryHits);
            return true;
        }

        if (Disk is not null && Disk.Keeps(uncompressedLength) && Disk.TryRead(key, out frame))
        {
            Interlocked.Increment(ref _diskHits);
            Remember(key, frame);
            return true;
        }

        Interlocked.Increment(ref _misses);
        return false;
    }

    /// <summary>Keeps a frame just compressed, in memory while there is room and on disk when it is worth a file.</summary>
    public void Add(string key, int uncompressedLength, ReadOnlySpan<byte> frame)
    {
        ArgumentNullException.ThrowIfNull(key);
        var copy = frame.ToArray();
        Remember(key, copy);
        if (Disk is not null && Disk.Keeps(uncompressedLength))
        {
            Disk.Write(key, copy);
        }
    }

    /// <summary>The cache key of a frame: what makes its compressed bytes what they are.</summary>
    /// <param name="codec">The frame codec and level, e.g. "zstd-3".</param>
    /// <param name="contentDigest">"sha256:…" of the frame's uncompressed bytes.</param>
    public static string KeyOf(string codec, string contentDigest, int uncompressedLength) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{codec}/{contentDigest}+{uncompressedLength}");

    private void Remember(string key, byte[] frame)
    {
        // Reserve the room first, so that threads racing for the last of it cannot overshoot.
        if (Interlocked.Add(ref _kept, frame.Length) > MemoryCapacity || !_frames.TryAdd(key, frame))
        {
            Interlocked.Add(ref _kept, -frame.Length);
        }
    }
}
