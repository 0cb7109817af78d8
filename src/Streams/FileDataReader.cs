using Akka.IO;
using Microsoft.Win32.SafeHandles;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Layers;

namespace ParallelDiff.Streams;

/// <summary>
/// Reads one file's data in chunks from several threads at once: one descriptor, opened by the
/// first read, positional reads (pread, no shared offset), closed when the last chunk is in or on
/// the first error. Like Core's FileDataCopier it insists on exactly the size the header announced:
/// a file that grew or shrank since its lstat fails the layer (containerd: ErrWriteTooLong /
/// "short write"), never a tar with a hole or a tail.
/// </summary>
internal sealed class FileDataReader
{
    private readonly LayerEntry _entry;
    private readonly DispatcherTaskScheduler _io;
    private readonly ReadAheadGauge _gauge;
    private readonly Lock _gate = new();
    private SafeFileHandle? _handle;
    private bool _closed;
    private Exception? _failure;
    private int _chunksLeft;

    public FileDataReader(LayerEntry entry, int chunkSize, DispatcherTaskScheduler io, ReadAheadGauge gauge)
    {
        _entry = entry;
        _io = io;
        _gauge = gauge;
        _chunksLeft = (int)((entry.Header.Size + chunkSize - 1) / chunkSize);
    }

    private long Size => _entry.Header.Size;

    private string Location => _entry.DataSource!.Locate(_entry.DataPath);

    /// <summary>
    /// Starts reading exactly <paramref name="length"/> bytes at <paramref name="offset"/> on the
    /// io-dispatcher. The buffer counts against the read-ahead gauge from its allocation until the
    /// caller releases it (see <see cref="TarEncodingFlow"/>).
    /// </summary>
    public Task<ByteString> ReadAsync(long offset, int length) => _io.Run(() =>
    {
        _gauge.Acquire(length);
        try
        {
            return Read(offset, length);
        }
        catch
        {
            _gauge.Release(length);
            throw;
        }
    });

    /// <summary>Closes the descriptor; a read still running keeps it alive until it returns (SafeHandle ref-counting).</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            _handle?.Dispose();
        }
    }

    private ByteString Read(long offset, int length)
    {
        try
        {
            var handle = Acquire();

            // The last chunk asks for one byte more than is left: a file that grew since its lstat
            // shows it in the same read, without a second pread at the end.
            var last = offset + length == Size;
            var buffer = GC.AllocateUninitializedArray<byte>(last ? length + 1 : length);
            var filled = 0;
            while (filled < buffer.Length)
            {
                var wanted = buffer.Length - filled;
                var n = RandomAccess.Read(handle, buffer.AsSpan(filled), offset + filled);
                filled += n;
                if (n == 0 || (n < wanted && filled >= length))
                {
                    // End of file, or a short read past the announced size: nothing more to wait for.
                    break;
                }
            }

            if (filled < length)
            {
                throw new FsException($"{Location}: file shrank while read (expected {Size} bytes, got {offset + filled})");
            }

            if (filled > length)
            {
                throw new FsException($"{Location}: file grew while read (expected {Size} bytes)");
            }

            if (Interlocked.Decrement(ref _chunksLeft) == 0)
            {
                Close();
            }

            return ByteString.FromBytes(buffer, 0, length);
        }
        catch (Exception e)
        {
            var first = Fail(e);
            if (ReferenceEquals(first, e))
            {
                throw;
            }

            throw new FsException(first.Message, first);
        }
    }

    /// <summary>
    /// Closes on the first error and remembers it: the file's other chunks, read in parallel,
    /// then report that same cause (whichever of them the stream sees first) rather than the
    /// closed descriptor they tripped over. Returns the first error.
    /// </summary>
    private Exception Fail(Exception cause)
    {
        Exception first;
        lock (_gate)
        {
            first = _failure ??= cause;
        }

        Close();
        return first;
    }

    private SafeFileHandle Acquire()
    {
        lock (_gate)
        {
            if (_failure is not null)
            {
                throw new FsException(_failure.Message, _failure);
            }

            ObjectDisposedException.ThrowIf(_closed, this);
            return _handle ??= _entry.DataSource!.OpenData(_entry.DataPath);
        }
    }
}
