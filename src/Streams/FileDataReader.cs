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
    private readonly Lock _gate = new();
    private SafeFileHandle? _handle;
    private bool _closed;
    private int _chunksLeft;

    public FileDataReader(LayerEntry entry, int chunkSize)
    {
        _entry = entry;
        _chunksLeft = (int)((entry.Header.Size + chunkSize - 1) / chunkSize);
    }

    public LayerEntry Entry => _entry;

    public bool IsClosed
    {
        get
        {
            lock (_gate)
            {
                return _closed;
            }
        }
    }

    private long Size => _entry.Header.Size;

    private string Location => _entry.DataSource!.Locate(_entry.DataPath);

    /// <summary>Reads exactly <paramref name="length"/> bytes at <paramref name="offset"/> into a new buffer.</summary>
    public ByteString ReadChunk(long offset, int length)
    {
        try
        {
            var handle = Acquire();
            var buffer = GC.AllocateUninitializedArray<byte>(length);
            var filled = 0;
            while (filled < length)
            {
                var n = RandomAccess.Read(handle, buffer.AsSpan(filled), offset + filled);
                if (n == 0)
                {
                    throw new FsException($"{Location}: file shrank while read (expected {Size} bytes, got {offset + filled})");
                }

                filled += n;
            }

            if (offset + length == Size && RandomAccess.Read(handle, new byte[1], Size) != 0)
            {
                throw new FsException($"{Location}: file grew while read (expected {Size} bytes)");
            }

            if (Interlocked.Decrement(ref _chunksLeft) == 0)
            {
                Close();
            }

            return ByteString.FromBytes(buffer);
        }
        catch
        {
            Close();
            throw;
        }
    }

    /// <summary>Closes the descriptor; a read still running keeps it alive until it returns (SafeHandle ref-counting).</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            _handle?.Dispose();
        }
    }

    private SafeFileHandle Acquire()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            return _handle ??= _entry.DataSource!.OpenData(_entry.DataPath);
        }
    }
}
