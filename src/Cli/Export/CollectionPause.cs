using System.Runtime;

namespace ParallelDiff.Cli.Export;

/// <summary>
/// Keeps the collector from running while a --cache export plans its jobs and takes the unchanged
/// ones from the cache. That stretch allocates little and keeps most of it (every job's plan, report
/// and image until the end), and a gen0 collection costs by what it walks, not by what it frees: a
/// warm export of 1,000 small snapshots made seven, 9-10 ms of pauses in 90 ms, during which the
/// other core waited too. The whole stretch allocated 14-16 MiB; reserved up front, no collection
/// ran (wall 99.7 -> 92.8 ms, median of 16 in alternation; BENCHMARKS.md, 2026-12-07 11:00-).
/// The window is sized by the job file, and ends by itself when the run allocates more (a layer
/// exported rather than taken): the collection that follows then walks the whole window once,
/// which costs what the collections it replaced would have, and from there on the usual gen0
/// budget holds memory flat. The writing pass never starts inside it.
/// </summary>
public sealed class CollectionPause : IDisposable
{
    // Measured: 1,000 jobs in a 195 KB job file allocate 14-16 MiB up to the last layer taken from
    // the cache (with 14 MiB reserved a collection still came; with 16, none). 128 bytes a byte of
    // job file leaves a quarter to spare.
    private const long BytesPerJobFileByte = 128;

    // Below 16 MiB a small job file gains nothing from the pause's own cost; above 64 MiB the one
    // collection after an overrun would be long, and the memory held before it large.
    private const long LeastBytes = 16L << 20;
    private const long MostBytes = 64L << 20;

    private int _open = 1;

    private CollectionPause()
    {
    }

    /// <summary>The bytes reserved for a job file of <paramref name="jobFileBytes"/> bytes.</summary>
    public static long SizeFor(long jobFileBytes) => Math.Clamp(jobFileBytes * BytesPerJobFileByte, LeastBytes, MostBytes);

    /// <summary>Starts the pause; null when the runtime does not grant it (one is already open in this process, or the memory is not there), and the export runs with collections as usual.</summary>
    /// <param name="jobFileBytes">The job file's size, which the window is sized by.</param>
    public static CollectionPause? Begin(long jobFileBytes)
    {
        try
        {
            // disallowFullBlockingGC: a pause that first needs a full collection is not worth having.
            return GC.TryStartNoGCRegion(SizeFor(jobFileBytes), disallowFullBlockingGC: true) ? new CollectionPause() : null;
        }
        catch (InvalidOperationException)
        {
            // Another pause is open in this process (an embedding program's, or a parallel test's).
            return null;
        }
    }

    /// <summary>Ends the pause if it is still open; once is enough, later calls do nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _open, 0) == 0 || GCSettings.LatencyMode != GCLatencyMode.NoGCRegion)
        {
            return;
        }

        try
        {
            GC.EndNoGCRegion();
        }
        catch (InvalidOperationException)
        {
            // Overrun between the check and the call: the runtime has already ended it.
        }
    }
}
