using System.Buffers;
using System.Globalization;
using ParallelDiff.Core.Tar;

namespace ParallelDiff.Core.Layers.LazyPull;

/// <summary>
/// The tar writer both lazy-pull formats share: headers (and the padding of the file before) go
/// into the frame that is open; a regular file's data starts a frame of its own and is cut into
/// frames of a block each (<see cref="PayloadChunk"/>), so a reader fetches and decompresses one
/// file, or one block of it, by its offsets alone. The formats differ in what they record and in
/// what follows the last entry (<see cref="Finish"/>).
/// </summary>
internal abstract class PerFileFrameWriter : ILayerEntrySink, IDisposable
{
    private static readonly byte[] Zeros = new byte[TarArchive.BlockSize];
    private readonly ArrayBufferWriter<byte> _header = new(4096);
    private readonly CancellationToken _cancellationToken;
    private readonly LayerMeter? _meter;

    protected PerFileFrameWriter(FramedBlob blob, int blockSize, LayerMeter? meter, CancellationToken cancellationToken)
    {
        Blob = blob;
        BlockSize = blockSize;
        _cancellationToken = cancellationToken;
        _meter = meter;
    }

    /// <summary>Bytes of file data copied (the "bytes in" of a layer).</summary>
    public long DataBytes { get; private set; }

    protected FramedBlob Blob { get; }

    protected int BlockSize { get; }

    /// <summary>
    /// Whether a file's tar padding ends its last data frame (eStargz: the tar writer pads on Flush,
    /// inside the member) rather than opening the next header's frame (zstd:chunked: tar-split's raw
    /// bytes before the next header).
    /// </summary>
    protected virtual bool PaddingInDataFrame => false;

    public void Write(LayerEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        _cancellationToken.ThrowIfCancellationRequested();
        _header.ResetWrittenCount();
        TarHeaderEncoder.Write(entry.Header, _header);
        WriteHeader(entry.Header, _header.WrittenSpan);
        FilePayload? payload = null;
        if (entry.HasData)
        {
            payload = WritePayload(entry.Header.Size, output => FileDataCopier.Copy(entry.DataSource!, entry.DataPath!, entry.Header.Size, output, _cancellationToken, entry.DataStatus));
            DataBytes += entry.Header.Size;
            _meter?.AddIn(entry.Header.Size);
        }

        OnEntry(entry.Header, payload);
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Writes what follows the last entry and returns the layer descriptor's annotations.</summary>
    public abstract IReadOnlyDictionary<string, string> Finish();

    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>Header bytes of one entry (padding of the file before is already pending).</summary>
    protected virtual void WriteHeader(TarHeader header, ReadOnlySpan<byte> headerBytes) => Blob.Append(headerBytes);

    /// <summary>Called after each entry with where its data went (null: no data).</summary>
    protected abstract void OnEntry(TarHeader header, FilePayload? payload);

    /// <summary>Called with every uncompressed byte of file data (tar-split's CRC-64 wants it).</summary>
    protected virtual void OnData(ReadOnlySpan<byte> data)
    {
    }

    /// <summary>
    /// The data of one file, <paramref name="size"/> bytes written by <paramref name="copy"/>, in
    /// frames of its own; its tar padding is left pending, for the frame of the next header.
    /// </summary>
    protected FilePayload WritePayload(long size, Action<Stream> copy)
    {
        ArgumentNullException.ThrowIfNull(copy);
        var start = Blob.Cut();
        using var sink = new PayloadSink(this);
        copy(sink);
        if (PaddingInDataFrame)
        {
            Blob.Append(Zeros.AsSpan(0, TarArchive.PaddingFor(size)));
        }

        var chunks = sink.Complete();
        var end = Blob.Offset;
        if (!PaddingInDataFrame)
        {
            Blob.Append(Zeros.AsSpan(0, TarArchive.PaddingFor(size)));
        }

        return new FilePayload(sink.Digest, start, end, chunks);
    }

    /// <summary>Splits a file's data at block boundaries, one frame per block, hashing the file and each block.</summary>
    private sealed class PayloadSink(PerFileFrameWriter owner) : WriteOnlyStream
    {
        private readonly Sha256Hasher _file = new();
        private readonly List<PayloadChunk> _chunks = [];
        private Sha256Hasher _chunk = new();
        private long _written;
        private long _chunkStart;
        private long _chunkBlobStart = owner.Blob.Offset;

        public string Digest { get; private set; } = string.Empty;

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            while (!buffer.IsEmpty)
            {
                var room = owner.BlockSize - (int)(_written - _chunkStart);
                var n = Math.Min(room, buffer.Length);
                var piece = buffer[..n];
                _file.Append(piece);
                _chunk.Append(piece);
                owner.OnData(piece);
                owner.Blob.Append(piece, cutWhenFull: false);
                _written += n;
                buffer = buffer[n..];
                if (n == room)
                {
                    EndChunk();
                }
            }
        }

        public List<PayloadChunk> Complete()
        {
            EndChunk();
            Digest = "sha256:" + Convert.ToHexStringLower(_file.CurrentHash());
            return _chunks;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _file.Dispose();
                _chunk.Dispose();
            }

            base.Dispose(disposing);
        }

        private void EndChunk()
        {
            if (_written == _chunkStart)
            {
                owner.Blob.Cut();
                return;
            }

            // Every chunk is cut here, a full one too (its bytes were appended without the cut at a
            // full block), where its digest names the frame's bytes for the content cache: the
            // chunk's data, and for eStargz's last chunk the zero padding after it, which the
            // frame's length in the key accounts for.
            var digest = "sha256:" + Convert.ToHexStringLower(_chunk.CurrentHash());
            var end = owner.Blob.Cut(digest);
            _chunks.Add(new PayloadChunk(_chunkStart, _written - _chunkStart, _chunkBlobStart, end, digest));
            _chunk.Dispose();
            _chunk = new Sha256Hasher();
            _chunkStart = _written;
            _chunkBlobStart = end;
        }
    }
}
