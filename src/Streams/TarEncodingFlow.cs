using Akka;
using Akka.IO;
using Akka.Streams.Dsl;
using ParallelDiff.Core.Layers;

namespace ParallelDiff.Streams;

/// <summary>
/// Layer entries in, the tar stream out (as Core's TarStreamWriter writes it, byte for byte), with
/// file data read ahead in parallel: <see cref="TarFraming"/> cuts each file into chunk reads, and
/// SelectAsync runs up to read-ahead-bytes / chunk-size of them at once on the io-dispatcher while
/// emitting strictly in order. Backpressure bounds the data in memory by the read-ahead budget
/// whatever the file sizes.
/// </summary>
public static class TarEncodingFlow
{
    /// <param name="gauge">Counts the read-ahead bytes (tests and progress reporting); optional.</param>
    /// <returns>
    /// The flow; its task completes with the entry and data-byte counts once the whole tar has
    /// passed, and faults if the stream fails (a file that vanished, grew or shrank names its path).
    /// </returns>
    public static Flow<LayerEntry, ByteString, Task<TarEncodingResult>> Create(PipelineSettings settings, ReadAheadGauge? gauge = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var counted = gauge ?? new ReadAheadGauge();
        // SelectAsync holds at most ReadsInFlight pieces, started or done, each at most one chunk,
        // plus the one it has just pushed: that is the read-ahead bound. It starts them in order
        // and emits them in order.
        return Flow.FromGraph(new TarFraming(settings.ChunkSize, settings.IoDispatcher, counted))
            .SelectAsync(settings.ReadsInFlight, piece => piece.ResolveAsync())
            .SelectError(TaskFailures.Unwrap)
            .Select(piece =>
            {
                counted.Release(piece.Counted);
                return piece.Bytes;
            })
            .WatchTermination(Finish)
            .Named("tarEncoding");
    }

    /// <summary>The counts, once the last byte has left the flow (not merely been framed).</summary>
    private static async Task<TarEncodingResult> Finish(Task<TarEncodingResult> framed, Task<Done> done)
    {
        await done.ConfigureAwait(false);
        return await framed.ConfigureAwait(false);
    }
}
