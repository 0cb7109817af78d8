using Akka;
using Akka.Streams.Dsl;
using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Layers;

namespace ParallelDiff.Streams;

/// <summary>
/// Layer entries in, the tar stream out as blocks of <c>blockSize</c> bytes (as Core's
/// TarStreamWriter writes it, byte for byte, cut as BlockCompressingStream cuts it), with file
/// data read ahead in parallel: <see cref="TarBlockAssembler"/> lays the tar out into pooled
/// blocks, and SelectAsync fills up to <see cref="PipelineSettings.BlocksInFlight"/> of them at
/// once on the io-dispatcher while emitting strictly in order. Backpressure bounds the data in
/// memory by the read-ahead budget whatever the file sizes.
/// </summary>
public static class TarEncodingFlow
{
    /// <param name="blockSize">The compression block size (CompressionSettings.BlockSize): each element is one block.</param>
    /// <param name="gauge">Counts the read-ahead bytes (tests and progress reporting); optional.</param>
    /// <param name="meter">Counts the file data of each block as it leaves, read; optional.</param>
    /// <returns>
    /// The flow, whose blocks the consumer must release (see <see cref="LayerBytes"/>); its task
    /// completes with the entry and data-byte counts once the whole tar has passed, and faults if
    /// the stream fails (a file that vanished, grew or shrank names its path).
    /// </returns>
    public static Flow<LayerEntry, LayerBytes, Task<TarEncodingResult>> Create(PipelineSettings settings, int blockSize, ReadAheadGauge? gauge = null, LayerMeter? meter = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(blockSize, BlockCompressingStream.MaxBlockSize);
        var counted = gauge ?? new ReadAheadGauge();
        // SelectAsync fills all but one of the blocks in flight at once, because a fill's slot
        // frees (and the next fill starts) as its block is handed on, so one block is always in
        // transit on top of the fills; the block's data leaves the gauge right here. That is the
        // read-ahead bound. It starts the fills in order and emits the blocks in order.
        return Flow.FromGraph(new TarBlockAssembler(blockSize, settings.IoDispatcher, counted))
            .SelectAsync(settings.BlocksInFlight(blockSize) - 1, block => Filled(block))
            .SelectError(TaskFailures.Unwrap)
            .Select(filled =>
            {
                counted.Release(filled.DataBytes);
                meter?.AddIn(filled.DataBytes);
                return filled.Bytes;
            })
            .WatchTermination(Finish)
            .Named("tarEncoding");
    }

    private static async Task<(LayerBytes Bytes, long DataBytes)> Filled(TarBlock block) =>
        (await block.FillAsync().ConfigureAwait(false), block.DataBytes);

    /// <summary>The counts, once the last byte has left the flow (not merely been laid out).</summary>
    private static async Task<TarEncodingResult> Finish(Task<TarEncodingResult> laidOut, Task<Done> done)
    {
        await done.ConfigureAwait(false);
        return await laidOut.ConfigureAwait(false);
    }
}
