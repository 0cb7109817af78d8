namespace ParallelDiff.Streams;

/// <summary>
/// Bytes of file data read but not yet passed on by the tar stage, and the most there ever were:
/// the number the read-ahead budget bounds. Thread-safe; readers run on several threads at once.
/// </summary>
public sealed class ReadAheadGauge
{
    private long _current;
    private long _peak;

    public long Current => Interlocked.Read(ref _current);

    public long Peak => Interlocked.Read(ref _peak);

    internal void Acquire(long bytes)
    {
        var now = Interlocked.Add(ref _current, bytes);
        var peak = Interlocked.Read(ref _peak);
        while (now > peak)
        {
            var seen = Interlocked.CompareExchange(ref _peak, now, peak);
            if (seen == peak)
            {
                break;
            }

            peak = seen;
        }
    }

    internal void Release(long bytes) => Interlocked.Add(ref _current, -bytes);
}
