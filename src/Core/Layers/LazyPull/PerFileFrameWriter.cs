using System.Buffers;
using System.Globalization;
using ParallelDiff.Core.Compression;
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
    private readonly ReusableSha256 _fileHash = new();
    private readonly ReusableSha256 _chunkHash = new();

    // Files come in tar order, a directory's together: opened by absolute path, each walked every
    // component of a deep tree again (a tenth of a cached copy of the many-small upper).
    private readonly Fs.LastDirectory _lastDirectory = new();

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

    public void Write(LayerEntry entry) => Write(entry, readAhead: null);

    /// <summary>
    /// Writes the entry; with <paramref name="readAhead"/>, its data and their digests come from
    /// there (the entry's chunks, next in line) instead of being read and hashed here.
    /// </summary>
    public void Write(LayerEntry entry, PayloadReadAhead? readAhead)
    {
        ArgumentNullException.ThrowIfNull(entry);
        _cancellationToken.ThrowIfCancellationRequested();
        _header.ResetWrittenCount();
        TarHeaderEncoder.Write(entry.Header, _header);
        WriteHeader(entry.Header, _header.WrittenSpan);
        FilePayload? payload = null;
        if (entry.HasData)
        {
            payload = readAhead is null
                ? WritePayload(entry.Header.Size, output => FileDataCopier.Copy(entry.DataSource!, entry.DataPath!, entry.Header.Size, output, _cancellationToken, entry.DataStatus, _lastDirectory))
                : WritePayload(entry.Header.Size, readAhead);
            DataBytes += entry.Header.Size;
            _meter?.AddIn(entry.Header.Size);
        }

        OnEntry(entry.Header, payload);
    }

    /// <summary>
    /// Lets the blob compress chunks read ahead while it waits for a frame another layer is
    /// compressing, where each chunk is a frame of its own (not where padding joins the last one).
    /// </summary>
    public void CompressAheadFrom(PayloadReadAhead readAhead)
    {
        if (!PaddingInDataFrame)
        {
            Blob.CompressAheadFrom(readAhead, ChecksumsData);
        }
    }

    /// <summary>
    /// A compressor for the reading thread of the layer's read-ahead (<see cref="ReaderCompressor"/>),
    /// or null where the blob has no cache.
    /// </summary>
    /// <param name="codec">Makes the reader's codec: the layer's codec and level.</param>
    public ReaderCompressor? CompressorForReader(Func<IBlockCodec> codec) =>
        Blob.CompressorForReader(codec, ChecksumsData, PaddingInDataFrame);

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Writes what follows the last entry and returns the layer descriptor's annotations.</summary>
    public abstract IReadOnlyDictionary<string, string> Finish();

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _fileHash.Dispose();
            _chunkHash.Dispose();
            _lastDirectory.Dispose();
        }
    }

    /// <summary>Header bytes of one entry (padding of the file before is already pending).</summary>
    protected virtual void WriteHeader(TarHeader header, ReadOnlySpan<byte> headerBytes) => Blob.Append(headerBytes);

    /// <summary>Called after each entry with where its data went (null: no data).</summary>
    protected abstract void OnEntry(TarHeader header, FilePayload? payload);

    /// <summary>Whether the format records the CRC-64/ISO of each file's data (zstd:chunked's tar-split): then <see cref="DataCrc64"/> holds it.</summary>
    protected virtual bool ChecksumsData => false;

    /// <summary>The CRC-64/ISO of the last file's data, when <see cref="ChecksumsData"/>; taken a frame at a time, from the cache for a copied one.</summary>
    protected ulong DataCrc64 { get; private set; }

    /// <summary>
    /// The data of one file, <paramref name="size"/> bytes written by <paramref name="copy"/>, in
    /// frames of its own; its tar padding is left pending, for the frame of the next header.
    /// </summary>
    protected FilePayload WritePayload(long size, Action<Stream> copy)
    {
        ArgumentNullException.ThrowIfNull(copy);
        return WritePayload(size, sink => copy(sink), readAhead: null);
    }

    /// <summary>As <see cref="WritePayload(long, Action{Stream})"/>, with the data and its chunk digests read ahead.</summary>
    private FilePayload WritePayload(long size, PayloadReadAhead readAhead) =>
        WritePayload(size, sink =>
        {
            while (readAhead.TryNextChunk(out var chunk))
            {
                sink.WriteChunk(chunk.Data, chunk.Digest, chunk.Frame);
                PayloadReadAhead.ReturnChunk(chunk);
            }
        }, readAhead);

    private FilePayload WritePayload(long size, Action<PayloadSink> copy, PayloadReadAhead? readAhead)
    {
        var start = Blob.Cut();
        using var sink = new PayloadSink(this, size, hashes: readAhead is null);
        copy(sink);
        if (PaddingInDataFrame)
        {
            Blob.Append(Zeros.AsSpan(0, TarArchive.PaddingFor(size)));
        }

        var chunks = sink.Complete(readAhead?.FileDigest);
        var end = Blob.Offset;
        if (!PaddingInDataFrame)
        {
            Blob.Append(Zeros.AsSpan(0, TarArchive.PaddingFor(size)));
        }

        return new FilePayload(sink.Digest, start, end, chunks);
    }

    /// <summary>Splits a file's data at block boundaries, one frame per block, hashing the file and each block.</summary>
    private sealed class PayloadSink : WriteOnlyStream
    {
        private readonly PerFileFrameWriter _owner;
        private readonly List<PayloadChunk> _chunks = [];
        private readonly bool _oneChunk;
        private readonly bool _hashes;
        private string? _lastDigest;
        private ChunkFrame? _lastFrame;
        private long _written;
        private long _chunkStart;
        private long _chunkBlobStart;

        /// <param name="size">The file's size: a file of one block at most is one chunk, whose digest is the file's.</param>
        /// <param name="hashes">False when the chunks come with their digests (<see cref="WriteChunk"/>).</param>
        public PayloadSink(PerFileFrameWriter owner, long size, bool hashes)
        {
            _owner = owner;
            _chunkBlobStart = owner.Blob.Offset;
            _oneChunk = size <= owner.BlockSize;
            _hashes = hashes;
            owner.DataCrc64 = 0;
            if (hashes)
            {
                var platform = owner.DataBytes + size > Sha256Hasher.ManagedLimit;
                owner._fileHash.Start(platform);
                owner._chunkHash.Start(platform);
            }
        }

        /// <summary>One whole chunk (a block of the file, or its rest) whose digest the reader took.</summary>
        /// <param name="frame">Its frame, when the reader compressed it (<see cref="ReaderCompressor.CompressApart"/>): written for it, then returned.</param>
        public void WriteChunk(ReadOnlySpan<byte> data, string digest, ChunkFrame? frame = null)
        {
            if (data.Length > _owner.BlockSize)
            {
                throw new InvalidOperationException("a chunk read ahead is bigger than a block");
            }

            _owner.Blob.Append(data, cutWhenFull: false);
            _written += data.Length;
            if (_written - _chunkStart == _owner.BlockSize)
            {
                EndChunk(digest, frame);
            }
            else
            {
                // The file's last, partial chunk: cut in Complete, as Write leaves it, after any
                // padding the format puts in the data's frame (eStargz).
                _lastDigest = digest;
                _lastFrame = frame;
            }
        }

        public string Digest { get; private set; } = string.Empty;

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            while (!buffer.IsEmpty)
            {
                var room = _owner.BlockSize - (int)(_written - _chunkStart);
                var n = Math.Min(room, buffer.Length);
                var piece = buffer[..n];
                if (!_oneChunk)
                {
                    _owner._fileHash.Append(piece);
                }

                _owner._chunkHash.Append(piece);
                _owner.Blob.Append(piece, cutWhenFull: false);
                _written += n;
                buffer = buffer[n..];
                if (n == room)
                {
                    EndChunk();
                }
            }
        }

        /// <param name="fileDigest">The file's digest when the chunks came read ahead.</param>
        public List<PayloadChunk> Complete(string? fileDigest = null)
        {
            EndChunk(_lastDigest, _lastFrame);
            _lastFrame = null;
            // One chunk holds the whole file, so its digest is the file's: hashed once, not twice.
            Digest = _oneChunk && _chunks.Count == 1 ? _chunks[0].Digest : fileDigest ?? _owner._fileHash.Finish();
            return _chunks;
        }

        /// <param name="frame">The chunk's frame compressed by the reader, or null: given back here once written.</param>
        private void EndChunk(string? readDigest = null, ChunkFrame? frame = null)
        {
            if (_written == _chunkStart)
            {
                _owner.Blob.Cut();
                return;
            }

            // Every chunk is cut here, a full one too (its bytes were appended without the cut at a
            // full block), where its digest names the frame's bytes for the content cache: the
            // chunk's data, and for eStargz's last chunk the zero padding after it, which the
            // frame's length in the key accounts for.
            var digest = readDigest ?? _owner._chunkHash.Finish();
            var end = _owner.Blob.Cut(digest, _owner.ChecksumsData ? _owner.DataCrc64 : null, frame);
            frame?.Return();
            if (_owner.ChecksumsData)
            {
                _owner.DataCrc64 = _owner.Blob.Crc64;
            }

            _chunks.Add(new PayloadChunk(_chunkStart, _written - _chunkStart, _chunkBlobStart, end, digest));
            if (_hashes)
            {
                _owner._chunkHash.Start(_owner.DataBytes + (_written - _chunkStart) > Sha256Hasher.ManagedLimit);
            }

            _chunkStart = _written;
            _chunkBlobStart = end;
        }
    }
}
