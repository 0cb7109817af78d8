using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using ParallelDiff.Core.Diff;

namespace ParallelDiff.Core.Layers.LazyPull;

/// <summary>
/// Runs a lazy-pull layer's change writer on a thread of its own, reading each file's data ahead of
/// the frame writer and hashing it a chunk (a block of the file) at a time, while the caller's
/// thread hashes the tar and compresses frames (or copies them from the cache). The frame writer
/// stays one thread in tar order, since each file's TOC offsets follow from the frames before it;
/// reading 100,000 files and their chunk digests was a third of a cold copy of the many-small upper
/// and most of a cached one, and ran on the same core as the compression.
/// <para>
/// The caller takes entries in order (<see cref="TryNextEntry"/>) and, for one with data, its
/// chunks (<see cref="TryNextChunk"/>, then <see cref="FileDigest"/>). Entries and chunks go over in
/// batches (a handoff per file cost a thread switch each); at most <see cref="BatchesAhead"/>
/// batches of about <see cref="BatchBytes"/> wait at once (and about one more while the caller
/// looks ahead, <see cref="TryNext"/>). A failure of the reading side (a file
/// that changed while read, a cancellation) is thrown to the caller where the stream of entries
/// ends, as it was raised.
/// </para>
/// </summary>
internal sealed partial class PayloadReadAhead : IDisposable, IUpcomingFrames
{
    /// <summary>Bytes of file data a batch gathers before it is handed over (a chunk of a bigger file goes alone).</summary>
    public const int BatchBytes = 1024 * 1024;

    /// <summary>Batches read ahead at most: with 4 MiB blocks, about 32 MiB of file data.</summary>
    public const int BatchesAhead = 8;

    private const int BatchEntries = 512;

    private readonly BlockingCollection<List<Item>> _batches = new(BatchesAhead);
    private readonly CancellationTokenSource _stop;
    private readonly Thread _reader;
    private List<Item>? _batch;
    private int _next;
    private ExceptionDispatchInfo? _failure;
    private int _entriesWritten;
    private bool _disposed;

    /// <param name="changes">The layer's changes, in order.</param>
    /// <param name="writerFor">Makes the change writer that turns changes into entries for the given sink (run on the reading thread).</param>
    /// <param name="blockSize">Chunk size: a file's data is hashed and handed over a block at a time.</param>
    /// <param name="compressor">Compresses chunks on the reading thread while the read-ahead is full (<see cref="ReaderCompressor"/>), or null; used until this is disposed.</param>
    public PayloadReadAhead(IReadOnlyList<Change> changes, Func<ILayerEntrySink, ChangeWriter> writerFor, int blockSize, CancellationToken cancellationToken, ReaderCompressor? compressor = null)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = new Producer(this, blockSize, compressor, _stop.Token);
        _reader = new Thread(() => producer.Run(changes, writerFor)) { IsBackground = true, Name = "paralleldiff.rd" };
        _reader.Start();
    }

    /// <summary>Entries the change writer wrote; known once <see cref="TryNextEntry"/> returned false.</summary>
    public int EntriesWritten => Volatile.Read(ref _entriesWritten);

    /// <summary>The digest ("sha256:…") of the data of the file whose chunks <see cref="TryNextChunk"/> just ended.</summary>
    public string FileDigest { get; private set; } = string.Empty;

    /// <summary>The next entry in tar order, or false after the last; throws the reading side's failure.</summary>
    public bool TryNextEntry(out LayerEntry entry)
    {
        if (!Next(out var item))
        {
            entry = null!;
            return false;
        }

        if (item.Kind != ItemKind.Entry)
        {
            throw new InvalidOperationException("a file's chunks were not all taken before the next entry");
        }

        entry = item.Entry!;
        return true;
    }

    /// <summary>
    /// The next chunk of the current file's data (<see cref="ReturnChunk"/> it once used), or false
    /// at the file's end, when <see cref="FileDigest"/> holds its digest.
    /// </summary>
    public bool TryNextChunk(out ReadChunk chunk)
    {
        if (!Next(out var item))
        {
            throw new InvalidOperationException("the entries ended inside a file's data");
        }

        switch (item.Kind)
        {
            case ItemKind.Chunk:
                chunk = new ReadChunk(item.Buffer!, item.Length, item.Digest!, item.Frame);
                return true;
            case ItemKind.FileEnd:
                FileDigest = item.Digest!;
                chunk = default;
                return false;
            default:
                throw new InvalidOperationException("an entry came before the end of a file's data");
        }
    }

    /// <summary>Gives a chunk's data back; its <see cref="ReadChunk.Frame"/>, if any, is the taker's to return once written.</summary>
    public static void ReturnChunk(ReadChunk chunk) => ArrayPool<byte>.Shared.Return(chunk.Buffer);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        // A caller that stops early (its own failure) stops the reader: it is blocked handing over a
        // batch or checks the token between reads.
        _stop.Cancel();
        while (_reader.IsAlive)
        {
            while (_batches.TryTake(out var left))
            {
                ReturnAll(left, 0);
            }

            _reader.Join(10);
        }

        while (_batches.TryTake(out var rest))
        {
            ReturnAll(rest, 0);
        }

        while (_taken.TryDequeue(out var early))
        {
            ReturnAll(early.Batch, 0);
        }

        if (_batch is not null)
        {
            ReturnAll(_batch, _next);
            _batch = null;
        }

        _batches.Dispose();
        _stop.Dispose();
    }

    private static void ReturnAll(List<Item> batch, int from)
    {
        for (var i = from; i < batch.Count; i++)
        {
            if (batch[i].Buffer is { } buffer)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            batch[i].Frame?.Return();
        }
    }

    private bool Next(out Item item)
    {
        while (_batch is null || _next == _batch.Count)
        {
            _batch = null;
            if (_taken.TryDequeue(out var early))
            {
                _takenBytes -= early.Bytes;
                _batch = early.Batch;
                _next = 0;
                continue;
            }

            if (!_batches.TryTake(out var batch, Timeout.Infinite))
            {
                // The reader completed: after its last batch, or after a failure.
                _failure?.Throw();
                item = default;
                return false;
            }

            _batch = batch;
            _next = 0;
        }

        item = _batch[_next++];
        return true;
    }

    private enum ItemKind
    {
        Entry,
        Chunk,
        FileEnd,
    }

    /// <param name="Frame">A chunk's frame, when the reader compressed it apart from the cache.</param>
    private readonly record struct Item(ItemKind Kind, LayerEntry? Entry, byte[]? Buffer, int Length, string? Digest, ChunkFrame? Frame = null);
}

/// <summary>A chunk of a file's data read ahead: <see cref="Length"/> bytes of a pooled buffer, and their digest.</summary>
/// <param name="Frame">The chunk compressed already by the reading thread (<see cref="ReaderCompressor.CompressApart"/>), or null.</param>
internal readonly record struct ReadChunk(byte[] Buffer, int Length, string Digest, ChunkFrame? Frame = null)
{
    public ReadOnlySpan<byte> Data => Buffer.AsSpan(0, Length);
}
