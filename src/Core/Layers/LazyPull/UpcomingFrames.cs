namespace ParallelDiff.Core.Layers.LazyPull;

/// <summary>
/// Frames a layer will cut later, known before their turn: a file's data chunks read ahead, each
/// a frame of its own in tar order (zstd:chunked). While the layer waits for a frame another layer
/// is compressing, it compresses some of these (<see cref="FramedBlob.CompressAheadFrom"/>).
/// </summary>
internal interface IUpcomingFrames
{
    /// <summary>Starts the next <see cref="TryNext"/> at the first frame not yet cut.</summary>
    void Rewind();

    /// <summary>The next upcoming frame's uncompressed bytes and their digest ("sha256:…"), or false when no more are known yet.</summary>
    bool TryNext(out ReadOnlyMemory<byte> bytes, out string digest);
}
