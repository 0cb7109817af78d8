using System.Diagnostics;
using ParallelDiff.Core.Export;

namespace ParallelDiff.Cli.Progress;

/// <summary>The running totals of a bulk export, shared by the progress views; every member is safe to use from any thread.</summary>
public sealed class ExportTally
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _running = new(StringComparer.Ordinal);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<SnapshotReport> _failures = [];

    public int Total { get; private set; }

    public int Done { get; private set; }

    public int Resumed { get; private set; }

    public int Failed { get; private set; }

    public long BytesIn { get; private set; }

    public long BytesOut { get; private set; }

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

    public void Started(string id)
    {
        lock (_gate)
        {
            _running[id] = Stopwatch.GetTimestamp();
        }
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

    /// <summary>The running snapshots that have run longest, longest first.</summary>
    public IReadOnlyList<(string Id, TimeSpan Running)> Slowest(int count)
    {
        lock (_gate)
        {
            return _running.OrderBy(r => r.Value).Take(count).Select(r => (r.Key, Stopwatch.GetElapsedTime(r.Value))).ToList();
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
