using System.Buffers;
using System.Numerics;
using System.Runtime.ExceptionServices;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Tar;

namespace ParallelDiff.Core.Layers.LazyPull;

/// <summary>The read-ahead's reading side (<see cref="Producer"/>): files read, hashed and cut into chunks, and compressed while the writer is behind.</summary>
internal sealed partial class PayloadReadAhead
{
    /// <summary>The reading side: the change writer's sink, on the reader thread only.</summary>
    private sealed class Producer(PayloadReadAhead owner, int blockSize, ReaderCompressor? compressor, CancellationToken token) : ILayerEntrySink, IDisposable
    {
        // Chunks in a row that the reader, while waiting, found kept or claimed already: then the
        // frames are a copy's and the reader just waits (each look-up costs a copy's CPU).
        private const int FruitlessClaims = 8;

        // A file's last chunk and its tar padding, as one frame's bytes (TryFrameOf).
        private byte[]? _padded;

        private readonly LastDirectory _lastDirectory = new();
        private readonly ReusableSha256 _chunkHash = new();
        private readonly ReusableSha256 _fileHash = new();
        private List<Item> _batch = new(BatchEntries);
        private long _batchBytes;
        private long _dataBytes;

        public void Run(IReadOnlyList<Change> changes, Func<ILayerEntrySink, ChangeWriter> writerFor)
        {
            try
            {
                var writer = writerFor(this);
                foreach (var change in changes)
                {
                    token.ThrowIfCancellationRequested();
                    writer.Handle(change);
                }

                Flush();
                Volatile.Write(ref owner._entriesWritten, writer.EntriesWritten);
            }
            catch (Exception e)
            {
                ReturnAll(_batch, 0);
                _batch = [];
                owner._failure = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                Dispose();
                owner._batches.CompleteAdding();
            }
        }

        /// <summary>Closes the reader's directory and hashers (at the end of <see cref="Run"/>, on its thread).</summary>
        public void Dispose()
        {
            _lastDirectory.Dispose();
            _chunkHash.Dispose();
            _fileHash.Dispose();
        }

        public void Write(LayerEntry entry)
        {
            Add(new Item(ItemKind.Entry, entry, null, 0, null));
            if (!entry.HasData)
            {
                return;
            }

            var size = entry.Header.Size;
            // Hashed as the frame writer did on one thread: in managed code while the layer is small.
            var platform = _dataBytes + size > Sha256Hasher.ManagedLimit;
            _dataBytes += size;
            using var chunks = new ChunkStream(this, size, platform);
            FileDataCopier.Copy(entry.DataSource!, entry.DataPath!, size, chunks, token, entry.DataStatus, _lastDirectory);
            Add(new Item(ItemKind.FileEnd, null, null, 0, chunks.Complete()));
        }

        private void Add(Item item)
        {
            _batch.Add(item);
            _batchBytes += item.Length;
            if (_batchBytes >= BatchBytes || _batch.Count >= BatchEntries)
            {
                Flush();
            }
        }

        private void Flush()
        {
            if (_batch.Count == 0)
            {
                return;
            }

            var full = _batch;
            _batch = new List<Item>(BatchEntries);
            _batchBytes = 0;
            try
            {
                if (compressor is null || !owner._batches.TryAdd(full))
                {
                    CompressWhileFull(full);
                }
            }
            catch
            {
                ReturnAll(full, 0);
                throw;
            }
        }

        /// <summary>
        /// Hands <paramref name="batch"/> over once there is room, compressing its chunks meanwhile
        /// (newest first: the farthest from the writer, which compresses from the other end) while
        /// the writer is behind and the frames are new to the cache.
        /// </summary>
        private void CompressWhileFull(List<Item> batch)
        {
            var next = batch.Count;
            var fruitless = 0;
            while (compressor is not null && fruitless < FruitlessClaims && !token.IsCancellationRequested)
            {
                next = PreviousChunk(batch, next);
                if (next < 0)
                {
                    break;
                }

                if (!TryFrameOf(batch, next, out var data))
                {
                    continue;
                }

                var chunk = batch[next];
                if (compressor.CacheKeeps)
                {
                    fruitless = compressor.TryCompress(data, chunk.Digest!) ? 0 : fruitless + 1;
                }
                else
                {
                    // The cache keeps no more (full, or off): the frame goes with its chunk.
                    batch[next] = chunk with { Frame = compressor.CompressApart(data) };
                }

                if (owner._batches.TryAdd(batch))
                {
                    return;
                }
            }

            owner._batches.Add(batch, token);
        }

        private static int PreviousChunk(List<Item> batch, int from)
        {
            var i = from - 1;
            while (i >= 0 && batch[i].Kind != ItemKind.Chunk)
            {
                i--;
            }

            return i;
        }

        /// <summary>
        /// The uncompressed bytes of the frame the writer will cut for the chunk at <paramref name="index"/>:
        /// the chunk; where the format puts a file's tar padding in its last frame (eStargz), the last
        /// chunk and its padding (zeros up to 512 bytes, from the chunk's length when blocks are whole
        /// tar blocks). False when that cannot be told here: the batch's last chunk, whose file's end
        /// comes in the next batch.
        /// </summary>
        private bool TryFrameOf(List<Item> batch, int index, out ReadOnlySpan<byte> frame)
        {
            var chunk = batch[index];
            frame = chunk.Buffer.AsSpan(0, chunk.Length);
            if (!compressor!.PadsLastChunk)
            {
                return true;
            }

            if (index + 1 == batch.Count || blockSize % TarArchive.BlockSize != 0)
            {
                return false;
            }

            if (batch[index + 1].Kind != ItemKind.FileEnd)
            {
                return true;
            }

            var padding = TarArchive.PaddingFor(chunk.Length);
            if (_padded is null || _padded.Length < chunk.Length + padding)
            {
                // Grown as files need it, not a whole block at once: most files are small.
                _padded = new byte[(int)BitOperations.RoundUpToPowerOf2((uint)(chunk.Length + padding))];
            }

            frame.CopyTo(_padded);
            _padded.AsSpan(chunk.Length, padding).Clear();
            frame = _padded.AsSpan(0, chunk.Length + padding);
            return true;
        }

        /// <summary>Cuts a file's data into chunks of a block (of the file's offsets), hashing each and the whole.</summary>
        private sealed class ChunkStream : WriteOnlyStream
        {
            private readonly Producer _producer;
            private readonly bool _oneChunk;
            private readonly long _size;
            private readonly bool _platform;
            private byte[]? _buffer;
            private int _chunkLength;
            private int _filled;
            private long _written;
            private string? _onlyDigest;

            public ChunkStream(Producer producer, long size, bool platform)
            {
                _producer = producer;
                _size = size;
                _platform = platform;
                _oneChunk = size <= producer.Block;
                if (!_oneChunk)
                {
                    producer._fileHash.Start(platform);
                }
            }

            public override void Write(ReadOnlySpan<byte> buffer)
            {
                while (!buffer.IsEmpty)
                {
                    if (_buffer is null)
                    {
                        // A chunk is a block, or what is left of the file: where the frame writer cuts.
                        // FileDataCopier never passes more than the size (a file that grew fails first).
                        _chunkLength = (int)Math.Min(_producer.Block, _size - _written);
                        if (_chunkLength <= 0)
                        {
                            throw new InvalidOperationException("more data than the file's size");
                        }

                        _buffer = ArrayPool<byte>.Shared.Rent(_chunkLength);
                        _filled = 0;
                        _producer._chunkHash.Start(_platform);
                    }

                    var n = Math.Min(_chunkLength - _filled, buffer.Length);
                    var piece = buffer[..n];
                    piece.CopyTo(_buffer.AsSpan(_filled));
                    _producer._chunkHash.Append(piece);
                    if (!_oneChunk)
                    {
                        _producer._fileHash.Append(piece);
                    }

                    _filled += n;
                    _written += n;
                    buffer = buffer[n..];
                    if (_filled == _chunkLength)
                    {
                        EndChunk();
                    }
                }
            }

            public string Complete() => _oneChunk ? _onlyDigest ?? throw new InvalidOperationException("a file with data ended without a chunk") : _producer._fileHash.Finish();

            protected override void Dispose(bool disposing)
            {
                if (disposing && _buffer is not null)
                {
                    ArrayPool<byte>.Shared.Return(_buffer);
                    _buffer = null;
                }

                base.Dispose(disposing);
            }

            private void EndChunk()
            {
                var digest = _producer._chunkHash.Finish();
                _onlyDigest = digest;
                var buffer = _buffer!;
                _buffer = null;
                _producer.Add(new Item(ItemKind.Chunk, null, buffer, _filled, digest));
            }
        }

        private int Block => blockSize;
    }
}
