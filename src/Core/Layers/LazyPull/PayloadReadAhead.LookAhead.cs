namespace ParallelDiff.Core.Layers.LazyPull;

/// <summary>
/// Looking ahead (<see cref="IUpcomingFrames"/>): the data chunks not yet taken, for a layer that
/// compresses upcoming frames while it waits for one another layer is compressing.
/// </summary>
internal sealed partial class PayloadReadAhead
{
    // Batches taken from the reader ahead of their turn by TryNext, in order, with their bytes:
    // taking one lets the reader read one more, so TryNext takes another only while these hold less
    // than a batch's worth (the read-ahead's memory grows by about a batch at most).
    private readonly Queue<(List<Item> Batch, long Bytes)> _taken = new();
    private long _takenBytes;

    // Where TryNext looks next: a batch (-1: the current one, else an index into _taken) and an item.
    private int _peekBatch;
    private int _peekItem;

    /// <summary>Bytes of data in batches taken ahead of their turn by <see cref="TryNext"/>.</summary>
    internal long TakenAheadBytes => _takenBytes;

    public void Rewind()
    {
        _peekBatch = -1;
        _peekItem = _next;
    }

    /// <summary>
    /// The next data chunk not yet taken, from the batches already handed over (never waits for the
    /// reader). Where the format cuts each chunk as a frame of its own, these are upcoming frames.
    /// </summary>
    public bool TryNext(out ReadOnlyMemory<byte> bytes, out string digest)
    {
        // The layer's last frames (its TOC, its tar-split) are cut after the entries, when this is gone.
        while (!_disposed)
        {
            var batch = _peekBatch < 0 ? _batch : _peekBatch < _taken.Count ? _taken.ElementAt(_peekBatch).Batch : null;
            if (batch is null)
            {
                if (_peekBatch < 0)
                {
                    _peekBatch = 0;
                    _peekItem = 0;
                    continue;
                }

                if (_takenBytes >= BatchBytes || !_batches.TryTake(out var more))
                {
                    break;
                }

                var taken = BytesOf(more);
                _taken.Enqueue((more, taken));
                _takenBytes += taken;
                continue;
            }

            while (_peekItem < batch.Count)
            {
                var item = batch[_peekItem++];
                if (item.Kind == ItemKind.Chunk)
                {
                    bytes = item.Buffer.AsMemory(0, item.Length);
                    digest = item.Digest!;
                    return true;
                }
            }

            _peekBatch++;
            _peekItem = 0;
        }

        bytes = default;
        digest = string.Empty;
        return false;
    }

    private static long BytesOf(List<Item> batch)
    {
        long bytes = 0;
        foreach (var item in batch)
        {
            bytes += item.Length;
        }

        return bytes;
    }
}
