using System.Buffers;
using System.Collections.Concurrent;
using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Layers.LazyPull;

/// <summary>
/// Issue 15's content cache: compressed frames of file data already written, by what they hold
/// (the sha256 and length of the frame's uncompressed bytes) and by codec and level. A file whose
/// data was compressed before is not compressed again; its frame is copied. The codecs are
/// deterministic, so a copied frame is the very bytes compressing would give, and a layer is the
/// same with the cache or without, warm or cold.
/// <para>
/// Tiers: memory, for one process (the ten copies of one upper in one export), which stops keeping
/// frames once <see cref="MemoryCapacity"/> bytes are kept; when given, a <see cref="SpillFrames"/>
/// file for the frames that come after, for the same process; and, when given, a
/// <see cref="DiskFrames"/> store that outlives the process. Safe to use from many threads: every
/// layer of an export shares one cache.
/// </para>
/// </summary>
public sealed class FrameCache(long memoryCapacity = FrameCache.DefaultMemoryCapacity, DiskFrames? disk = null, SpillFrames? spill = null)
{
    /// <summary>The memory tier's size when nothing says otherwise: one layer's own cache (an export's comes from paralleldiff.cache.memory).</summary>
    public const long DefaultMemoryCapacity = 64L * 1024 * 1024;

    // Frames are copied into slabs, not arrays of their own: 100,000 small frames as arrays made
    // the GC zero and compact a new heap segment after another (a tenth of a layer's CPU). Slabs
    // of 16 MiB, so that huge pages back nearly all of each (HugePageArrays); 4 MiB for a small
    // cache, so that one slab is not most of it.
    private const int SlabSize = 16 * 1024 * 1024;
    private const int SmallSlabSize = 4 * 1024 * 1024;

    private readonly ConcurrentDictionary<string, CachedFrame> _frames = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<CachedFrame?>> _inFlight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, KnownBlob> _blobs = new(StringComparer.Ordinal);
    private readonly Lock _slabGate = new();
    private byte[]? _slab;
    private int _slabUsed;
    private long _kept;
    private int _refused;
    private int _memoryHits;
    private int _diskHits;
    private int _misses;

    public long MemoryCapacity { get; } = memoryCapacity;

    /// <summary>
    /// Whether the cache has refused a frame for want of room (its memory tier, and its
    /// <see cref="Spill"/> when it has one): from then on it keeps no new frame.
    /// </summary>
    public bool StoppedKeeping => Volatile.Read(ref _refused) != 0 && (Spill is null || MemoryCapacity == 0 || Spill.Refused);

    /// <summary>The store across runs (--cache DIR), or null.</summary>
    public DiskFrames? Disk { get; } = disk;

    /// <summary>Where frames go once the memory tier is full, for this process (paralleldiff.cache.spill), or null.</summary>
    public SpillFrames? Spill { get; } = spill;

    /// <summary>Frames copied from memory (or its <see cref="Spill"/>) instead of compressed.</summary>
    public int MemoryHits => Volatile.Read(ref _memoryHits);

    /// <summary>Frames copied from <see cref="Disk"/> instead of compressed.</summary>
    public int DiskHits => Volatile.Read(ref _diskHits);

    /// <summary>Frames looked up and not found (then compressed).</summary>
    public int Misses => Volatile.Read(ref _misses);

    /// <summary>All hits, of both tiers.</summary>
    public int Hits => MemoryHits + DiskHits;

    /// <param name="key">Codec, level and content, as <see cref="KeyOf"/> makes it.</param>
    /// <param name="uncompressedLength">The frame's uncompressed bytes: the disk tier keeps only frames worth a file.</param>
    /// <param name="whileWaiting">
    /// Work to do while another layer compresses this very frame, called until it is done or the
    /// work returns false (see <see cref="TryClaim"/>); null just waits.
    /// </param>
    public bool TryGet(string key, int uncompressedLength, out CachedFrame frame, Func<bool>? whileWaiting = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (TryKept(key, out frame))
        {
            Interlocked.Increment(ref _memoryHits);
            return true;
        }

        if (TryReadDisk(key, uncompressedLength, out var stored))
        {
            Interlocked.Increment(ref _diskHits);
            frame = Remember(key, stored, crc64: null) ?? new CachedFrame(stored, null);
            return true;
        }

        // Another layer may be compressing this very frame right now (two copies of one upper export
        // at once): wait for its bytes rather than compress them a second time. A miss makes the
        // caller the frame's compressor until its Add or Abandon; it waits on nobody meanwhile, so
        // no two layers can wait on each other.
        var mine = new TaskCompletionSource<CachedFrame?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var compressor = _inFlight.GetOrAdd(key, mine);
        if (compressor != mine)
        {
            // Two copies of one tree in step would otherwise take turns idling: the one behind
            // waits for every frame the one ahead compresses. Meanwhile it compresses frames it
            // will need later, which the other then finds (or waits for) in turn.
            while (whileWaiting is not null && !compressor.Task.IsCompleted && whileWaiting())
            {
            }
        }

        if (compressor != mine && compressor.Task.GetAwaiter().GetResult() is { } compressed)
        {
            Interlocked.Increment(ref _memoryHits);
            frame = compressed;
            return true;
        }

        // The layer that compressed it may have kept it and left between the look-up above and
        // this claim: take it, and hand it to anyone who came to wait on us meanwhile.
        if (compressor == mine && ReleaseIfKept(key, mine, out frame))
        {
            Interlocked.Increment(ref _memoryHits);
            return true;
        }

        Interlocked.Increment(ref _misses);
        return false;
    }

    /// <summary>
    /// Makes the caller the compressor of a frame it will need later, unless the frame is kept
    /// (a disk hit is brought into memory), another layer compresses it already, or the cache
    /// stopped keeping frames (then the work would be done twice). True: the caller must
    /// <see cref="Add"/> it (or <see cref="Abandon"/> it) without waiting on anything first, as
    /// after a miss of <see cref="TryGet"/>; counted as a miss, and the later look-up as a hit.
    /// </summary>
    public bool TryClaim(string key, int uncompressedLength)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (StoppedKeeping || TryKept(key, out _) || _inFlight.ContainsKey(key))
        {
            return false;
        }

        if (TryReadDisk(key, uncompressedLength, out var stored))
        {
            // Counted where it is used: the later look-up finds it in memory.
            Remember(key, stored, crc64: null);
            return false;
        }

        var mine = new TaskCompletionSource<CachedFrame?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_inFlight.TryAdd(key, mine))
        {
            return false;
        }

        // Kept by a layer that left between the look-up and the claim (as in TryGet).
        if (ReleaseIfKept(key, mine, out _))
        {
            return false;
        }

        Interlocked.Increment(ref _misses);
        return true;
    }

    /// <summary>
    /// Keeps a frame just compressed (after a miss of <see cref="TryGet"/>), in memory while there
    /// is room and on disk when it is worth a file, and hands it to layers waiting for it.
    /// </summary>
    /// <param name="crc64">The CRC-64/ISO of the frame's uncompressed bytes, when the writer has it (memory only: the disk keeps frames, not sums).</param>
    public void Add(string key, int uncompressedLength, ReadOnlySpan<byte> frame, ulong? crc64 = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        var kept = Remember(key, frame, crc64);
        if (Disk is not null && Disk.Keeps(uncompressedLength))
        {
            Disk.Write(key, frame);
        }

        if (_inFlight.TryRemove(key, out var waiting))
        {
            waiting.TrySetResult(kept ?? new CachedFrame(frame.ToArray(), crc64));
        }
    }

    /// <summary>
    /// <see cref="TryClaim"/>, and when the claim is this caller's, the frame compressed with
    /// <paramref name="codec"/> into <paramref name="output"/> (emptied first) and kept (<see cref="Add"/>);
    /// a failure abandons the claim and is thrown. What a layer does to compress a frame it will
    /// need later: its writer while a copy is ahead (FramedBlob), its reader while the writer is
    /// behind (<see cref="ReaderCompressor"/>), each with its own codec and buffer.
    /// </summary>
    /// <param name="keepCrc64">Keep the CRC-64/ISO of <paramref name="data"/> with the frame (zstd:chunked's tar-split).</param>
    /// <returns>Whether this call compressed it.</returns>
    public bool TryClaimAndCompress(string key, ReadOnlySpan<byte> data, IBlockCodec codec, ArrayBufferWriter<byte> output, bool keepCrc64)
    {
        ArgumentNullException.ThrowIfNull(codec);
        ArgumentNullException.ThrowIfNull(output);
        if (!TryClaim(key, data.Length))
        {
            return false;
        }

        // A claim is kept without waiting on anything until Add or Abandon: another layer may be
        // waiting for this very frame.
        output.ResetWrittenCount();
        try
        {
            codec.CompressBlock(data, output);
        }
        catch
        {
            Abandon(key);
            throw;
        }

        Add(key, data.Length, output.WrittenSpan, keepCrc64 ? TarSplitPacker.Crc64Append(0, data) : null);
        return true;
    }

    /// <summary>The frame a <see cref="TryGet"/> miss promised was not compressed (a failure): those waiting for it compress it themselves.</summary>
    public void Abandon(string key)
    {
        if (_inFlight.TryRemove(key, out var waiting))
        {
            waiting.TrySetResult(null);
        }
    }

    /// <summary>
    /// A blob this process made before from the same recipe (FramedBlob.RecipeDigest: its frames by
    /// cache key, its other bytes as themselves), so the same bytes: its digest and size without
    /// hashing it again.
    /// </summary>
    public bool TryGetBlob(string recipe, out KnownBlob blob) => _blobs.TryGetValue(recipe, out blob);

    /// <summary>Remembers the digest and size of the blob a recipe made (hashed as it was written).</summary>
    public void AddBlob(string recipe, KnownBlob blob) => _blobs.TryAdd(recipe, blob);

    /// <summary>The cache key of a frame: what makes its compressed bytes what they are.</summary>
    /// <param name="codec">The frame codec and level, e.g. "zstd-3".</param>
    /// <param name="contentDigest">"sha256:…" of the frame's uncompressed bytes.</param>
    public static string KeyOf(string codec, string contentDigest, int uncompressedLength) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{codec}/{contentDigest}+{uncompressedLength}");

    /// <summary>A frame of the store across runs, when there is one and it keeps frames of this length.</summary>
    private bool TryReadDisk(string key, int uncompressedLength, out byte[] stored)
    {
        stored = [];
        return Disk is not null && Disk.Keeps(uncompressedLength) && Disk.TryRead(key, out stored);
    }

    /// <summary>
    /// After a claim (<paramref name="mine"/> registered in flight): a frame kept meanwhile, by a
    /// layer that left between the look-up and the claim, is handed to anyone already waiting on
    /// the claim, and the claim let go.
    /// </summary>
    private bool ReleaseIfKept(string key, TaskCompletionSource<CachedFrame?> mine, out CachedFrame frame)
    {
        if (!TryKept(key, out frame))
        {
            return false;
        }

        _inFlight.TryRemove(new KeyValuePair<string, TaskCompletionSource<CachedFrame?>>(key, mine));
        mine.TrySetResult(frame);
        return true;
    }

    /// <summary>A frame this process kept: in memory, else in its spill file.</summary>
    private bool TryKept(string key, out CachedFrame frame) =>
        _frames.TryGetValue(key, out frame) || (Spill is not null && Spill.TryGet(key, out frame));

    /// <returns>The frame as the memory tier keeps it, or null when it keeps none (full: then it is spilled, when there is a <see cref="Spill"/>).</returns>
    private CachedFrame? Remember(string key, ReadOnlySpan<byte> frame, ulong? crc64)
    {
        // Reserve the room first, so that threads racing for the last of it cannot overshoot.
        if (Interlocked.Add(ref _kept, frame.Length) > MemoryCapacity || _frames.ContainsKey(key))
        {
            if (Interlocked.Add(ref _kept, -frame.Length) + frame.Length > MemoryCapacity)
            {
                Volatile.Write(ref _refused, 1);
                if (MemoryCapacity > 0)
                {
                    Spill?.TryAdd(key, frame, crc64);
                }
            }

            return _frames.TryGetValue(key, out var other) ? other : null;
        }

        var kept = new CachedFrame(Store(frame), crc64);
        if (_frames.TryAdd(key, kept))
        {
            return kept;
        }

        Interlocked.Add(ref _kept, -frame.Length);
        return _frames[key];
    }

    private ReadOnlyMemory<byte> Store(ReadOnlySpan<byte> frame)
    {
        if (frame.Length > SmallSlabSize / 4)
        {
            return frame.ToArray();
        }

        lock (_slabGate)
        {
            if (_slab is null || _slabUsed + frame.Length > _slab.Length)
            {
                _slab = HugePageArrays.Allocate(MemoryCapacity >= 8L * SlabSize ? SlabSize : SmallSlabSize);
                _slabUsed = 0;
            }

            var room = _slab.AsMemory(_slabUsed, frame.Length);
            frame.CopyTo(room.Span);
            _slabUsed += frame.Length;
            return room;
        }
    }
}

/// <summary>A compressed frame from a <see cref="FrameCache"/>, and the CRC-64/ISO of its uncompressed bytes when the writer that kept it had it.</summary>
/// <param name="Spilled">Where it lies in the cache's <see cref="SpillFrames"/> when it was read from there (its bytes are a copy then): a holder keeps the place, not the copy.</param>
public readonly record struct CachedFrame(ReadOnlyMemory<byte> Bytes, ulong? Crc64, SpilledFrame? Spilled = null);

/// <summary>A blob by its digest ("sha256:…") and size in bytes, and the digest of the tar it holds (its diffID).</summary>
public readonly record struct KnownBlob(string Digest, long Size, string TarDigest);
