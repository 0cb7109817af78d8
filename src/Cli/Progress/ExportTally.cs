using System.Diagnostics;
using ParallelDiff.Core.Export;
using ParallelDiff.Core.Layers;

namespace ParallelDiff.Cli.Progress;

/// <summary>The running totals of a bulk export, shared by the progress views; every member is safe to use from any thread.</summary>
public sealed class ExportTally
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (long Started, LayerMeter? Meter)> _running = new(StringComparer.Ordinal);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<SnapshotReport> _failures = [];

    public int Total { get; private set; }

    public int Done { get; private set; }

    public int Resumed { get; private set; }

    public int Failed { get; private set; }

    /// <summary>File data read by the finished snapshots.</summary>
    public long BytesIn { get; private set; }

    /// <summary>Blob bytes written by the finished snapshots.</summary>
    public long BytesOut { get; private set; }

    /// <summary>File data read so far, the running snapshots' included: what a rate shown while they run counts.</summary>
    public long BytesInNow
    {
        get
        {
            lock (_gate)
            {
                return BytesIn + _running.Values.Sum(r => r.Meter?.BytesIn ?? 0);
            }
        }
    }

    /// <summary>Blob bytes written so far, the running snapshots' included.</summary>
    public long BytesOutNow
    {
        get
        {
            lock (_gate)
            {
                return BytesOut + _running.Values.Sum(r => r.Meter?.BytesOut ?? 0);
            }
        }
    }

    /// <summary>Snapshots ended in any way, resumed ones included.</summary>
    public int Ended
    {
        get
        {
            lock (_gate)
            {
                return Done + Resumed + Failed;
            }
        }
    }

    public TimeSpan Elapsed => _clock.Elapsed;

    public void Begin(int total, int resumed)
    {
        lock (_gate)
        {
            Total = total;
            Resumed = resumed;
        }
    }

    /// <param name="meter">The layer's byte counts while it runs, or null where nobody counts them.</param>
    public void Started(string id, LayerMeter? meter = null)
    {
        lock (_gate)
        {
            _running[id] = (Stopwatch.GetTimestamp(), meter);
        }
    }

    /// <summary>A running snapshot's meter read now, or null (not running, or not metered).</summary>
    public LayerSample? RunningLayer(string id)
    {
        lock (_gate)
        {
            return _running.TryGetValue(id, out var r) && r.Meter is not null ? Sample(id, r.Meter, r.Started) : null;
        }
    }

    /// <summary>Every running snapshot that has a meter, in the order they started.</summary>
    public IReadOnlyList<LayerSample> RunningLayers()
    {
        lock (_gate)
        {
            return _running
                .Where(r => r.Value.Meter is not null)
                .OrderBy(r => r.Value.Started)
                .Select(r => Sample(r.Key, r.Value.Meter!, r.Value.Started))
                .ToList();
        }
    }

    /// <summary>The snapshots ended, with the running ones' share done counted in (how far a bar goes).</summary>
    public double EndedWithShares
    {
        get
        {
            lock (_gate)
            {
                return Done + Resumed + Failed + _running.Values.Sum(r => r.Meter is { } m && m.TotalIn > 0 && m.TotalKnown
                    ? Math.Min(1.0, (double)m.BytesIn / m.TotalIn)
                    : 0);
            }
        }
    }

    /// <summary>A meter read at this moment.</summary>
    public static LayerSample Sample(string id, LayerMeter meter, long startedTimestamp)
    {
        ArgumentNullException.ThrowIfNull(meter);
        // Known before the counts are read: a total read as known is then never behind them.
        var known = meter.TotalKnown;
        return new LayerSample(id, meter.BytesIn, meter.BytesOut, meter.TotalIn, known, Stopwatch.GetElapsedTime(startedTimestamp)) { BytesPushed = meter.BytesPushed };
    }

    /// <returns>How many snapshots have ended, this one included (for "[n/total]").</returns>
    public int Finished(SnapshotReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        lock (_gate)
        {
            _running.Remove(report.Id);
            if (report.Status == SnapshotStatus.Failed)
            {
                Failed++;
                _failures.Add(report);
            }
            else
            {
                Done++;
                BytesIn += report.BytesIn;
                BytesOut += report.BytesOut;
            }

            return Done + Resumed + Failed;
        }
    }

    public int Running
    {
        get
        {
            lock (_gate)
            {
                return _running.Count;
            }
        }
    }

    public IReadOnlyList<SnapshotReport> Failures()
    {
        lock (_gate)
        {
            return [.. _failures];
        }
    }

    /// <summary>Megabytes (10^6 bytes) per second since the start, as disk and network tools count them.</summary>
    public static double MegabytesPerSecond(long bytes, TimeSpan elapsed) => elapsed.TotalSeconds > 0 ? bytes / 1e6 / elapsed.TotalSeconds : 0;
}
