using Akka;
using Akka.IO;
using Akka.Streams;
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
        return Flow.Setup<LayerEntry, ByteString, Task<TarEncodingResult>>((materializer, _) =>
            {
                var io = new DispatcherTaskScheduler(StreamsConfig.Dispatcher(materializer.System, settings.IoDispatcher));
                var reads = new FileDataReads(io, settings.ChunkSize, gauge ?? new ReadAheadGauge());
                return Flow.FromGraph(new TarFraming(settings.ChunkSize))
                    .SelectAsync(settings.ReadsInFlight, reads.Resolve)
                    .Select(reads.Release)
                    .WatchTermination((framed, done) => Finish(framed, done, reads));
            })
            .MapMaterializedValue(setup => setup.Unwrap())
            .Named("tarEncoding");
    }

    /// <summary>The counts, once the last byte has left (not merely been framed); then the reads are released.</summary>
    private static async Task<TarEncodingResult> Finish(Task<TarEncodingResult> framed, Task<Done> done, FileDataReads reads)
    {
        try
        {
            await done.ConfigureAwait(false);
            return await framed.ConfigureAwait(false);
        }
        finally
        {
            reads.Dispose();
        }
    }
}
