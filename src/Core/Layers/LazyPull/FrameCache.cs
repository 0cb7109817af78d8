namespace ParallelDiff.Core.Layers.LazyPull;

/// <summary>
/// Compressed frames of file data already written in this export, by the sha256 of what they hold
/// (issue 15's content cache, in memory): a file whose data was compressed before, at the same
/// codec and level (one cache serves one codec), is not compressed again; its frame is copied. The
/// codecs are deterministic, so a copied frame is the very bytes compressing would give, and the
/// blob is the same with the cache or without. Bounded: frames stop being kept once
/// <see cref="Capacity"/> bytes are.
/// </summary>
internal sealed class FrameCache(long capacity = FrameCache.DefaultCapacity)
{
    public const long DefaultCapacity = 64L * 1024 * 1024;

    private readonly Dictionary<string, byte[]> _frames = new(StringComparer.Ordinal);
    private long _kept;

    public long Capacity { get; } = capacity;

    /// <summary>Frames copied instead of compressed.</summary>
    public int Hits { get; private set; }

    public bool TryGet(string key, out byte[] frame)
    {
        if (_frames.TryGetValue(key, out frame!))
        {
            Hits++;
            return true;
        }

        return false;
    }

    public void Add(string key, ReadOnlySpan<byte> frame)
    {
        if (_kept + frame.Length <= Capacity && _frames.TryAdd(key, frame.ToArray()))
        {
            _kept += frame.Length;
        }
    }
}
