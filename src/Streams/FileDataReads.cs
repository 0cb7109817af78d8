using System.Collections.Concurrent;
using Akka.IO;
using ParallelDiff.Core.Layers;

namespace ParallelDiff.Streams;

/// <summary>
/// One materialization's file reads: turns <see cref="TarPiece"/>s into bytes, starting reads on
/// the io-dispatcher and counting their buffers in the <see cref="ReadAheadGauge"/>. SelectAsync
/// calls <see cref="Resolve"/> in stream order on the stage's thread, so the pieces of one file
/// arrive consecutively and share one <see cref="FileDataReader"/>.
/// </summary>
internal sealed class FileDataReads : IDisposable
{
    private readonly DispatcherTaskScheduler _io;
    private readonly int _chunkSize;
    private readonly ReadAheadGauge _gauge;
    private readonly CancellationTokenSource _stopped = new();
    private readonly ConcurrentDictionary<FileDataReader, bool> _open = new();
    private FileDataReader? _current;

    public FileDataReads(DispatcherTaskScheduler io, int chunkSize, ReadAheadGauge gauge)
    {
        _io = io;
        _chunkSize = chunkSize;
        _gauge = gauge;
    }

    /// <summary>The piece's bytes, and how many of them count against the read-ahead budget.</summary>
    public Task<(ByteString Bytes, int Counted)> Resolve(TarPiece piece)
    {
        if (!piece.IsRead)
        {
            return Task.FromResult((piece.Bytes, 0));
        }

        var reader = ReaderFor(piece.File!);
        return _io.Run(() =>
        {
            _gauge.Acquire(piece.Length);
            try
            {
                return (reader.ReadChunk(piece.Offset, piece.Length), piece.Length);
            }
            catch
            {
                _gauge.Release(piece.Length);
                throw;
            }
            finally
            {
                if (reader.IsClosed)
                {
                    _open.TryRemove(reader, out _);
                }
            }
        }, _stopped.Token);
    }

    /// <summary>Called as a piece leaves the stage: its buffer is no longer read-ahead.</summary>
    public ByteString Release((ByteString Bytes, int Counted) piece)
    {
        _gauge.Release(piece.Counted);
        return piece.Bytes;
    }

    /// <summary>
    /// The stream stopped: reads not yet started are dropped and descriptors still open (a file
    /// cut short by a failure or a cancellation) are closed now rather than by the finalizer.
    /// </summary>
    public void Dispose()
    {
        _stopped.Cancel();
        foreach (var reader in _open.Keys)
        {
            reader.Close();
        }

        _open.Clear();
        _stopped.Dispose();
    }

    private FileDataReader ReaderFor(LayerEntry file)
    {
        if (_current is null || !ReferenceEquals(_current.Entry, file))
        {
            _current = new FileDataReader(file, _chunkSize);
            _open[_current] = true;
        }

        return _current;
    }
}
