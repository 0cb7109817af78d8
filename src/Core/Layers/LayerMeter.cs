namespace ParallelDiff.Core.Layers;

/// <summary>
/// How far one layer's export has come, in bytes, for progress views: file data read (in), blob
/// bytes written (out), and the file data the layer will read as far as the diff has found it. The
/// pipeline only adds to it, once per file or per block, never per byte; a view samples it at its
/// own pace on its own thread, so a slow terminal cannot slow the layer down.
/// </summary>
public sealed class LayerMeter
{
    private long _bytesIn;
    private long _bytesOut;
    private long _totalIn;
    private int _totalKnown;
    private long _bytesPushed;

    /// <summary>File data read into the tar so far.</summary>
    public long BytesIn => Volatile.Read(ref _bytesIn);

    /// <summary>Blob bytes (compressed) handed to the output so far.</summary>
    public long BytesOut => Volatile.Read(ref _bytesOut);

    /// <summary>
    /// The file data of the changes found so far: the layer's whole file data once
    /// <see cref="TotalKnown"/> (a parallel walk learns it as its shards finish).
    /// </summary>
    public long TotalIn => Volatile.Read(ref _totalIn);

    /// <summary>The diff is complete, so <see cref="TotalIn"/> is the layer's file data, not a lower bound.</summary>
    public bool TotalKnown => Volatile.Read(ref _totalKnown) != 0;

    /// <summary>Blob bytes a registry has taken so far (--push); 0 when nothing is pushed.</summary>
    public long BytesPushed => Volatile.Read(ref _bytesPushed);

    public void AddPushed(long bytes) => Interlocked.Add(ref _bytesPushed, bytes);

    public void AddIn(long bytes) => Interlocked.Add(ref _bytesIn, bytes);

    public void AddOut(long bytes) => Interlocked.Add(ref _bytesOut, bytes);

    public void AddTotal(long bytes) => Interlocked.Add(ref _totalIn, bytes);

    /// <summary>The diff found every change: no more is added to <see cref="TotalIn"/>.</summary>
    public void CompleteTotal() => Volatile.Write(ref _totalKnown, 1);

    /// <summary>Back to nothing, for a layer that starts over (the overlay differ gave way to the walking differ).</summary>
    public void Reset()
    {
        Volatile.Write(ref _totalKnown, 0);
        Interlocked.Exchange(ref _totalIn, 0);
        Interlocked.Exchange(ref _bytesIn, 0);
        Interlocked.Exchange(ref _bytesOut, 0);
        Interlocked.Exchange(ref _bytesPushed, 0);
    }

    /// <summary>The layer is written: the total is what was read (the estimate counted every name of a hard-linked file).</summary>
    public void Finish()
    {
        Volatile.Write(ref _totalIn, BytesIn);
        CompleteTotal();
    }

    /// <summary>
    /// The file data a change may bring into the tar: an added or modified regular file's size. An
    /// estimate from above: the second name of a hard-linked file is written as a link, without data.
    /// </summary>
    public static long DataOf(Diff.Change change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return change.Kind is Diff.ChangeKind.Add or Diff.ChangeKind.Modify && change.Status.Kind == Fs.FileKind.Regular ? change.Status.Size : 0;
    }
}
