using Microsoft.Win32.SafeHandles;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Layers;

namespace ParallelDiff.Streams;

/// <summary>
/// Reads one file's data, extent by extent, straight into the tar blocks that hold it: one
/// descriptor, opened by the first read, positional reads (pread, no shared offset, so the blocks
/// of a large file fill in parallel), closed after the last extent or on the first error. Like
/// Core's FileDataCopier it insists on exactly the size the header announced: a file that grew or
/// shrank since its lstat fails the layer (containerd: ErrWriteTooLong / "short write"), never a
/// tar with a hole or a tail.
/// </summary>
internal sealed class FileDataReader
{
    private readonly LayerEntry _entry;
    private readonly Lock _gate = new();
    private SafeFileHandle? _handle;
    private bool _closed;
    private Exception? _failure;
    private int _extentsLeft;

    /// <param name="extents">How many extents the file's data was laid out in: the last one read closes the descriptor.</param>
    public FileDataReader(LayerEntry entry, int extents)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(extents, 1);
        _entry = entry;
        _extentsLeft = extents;
    }

    private long Size => _entry.Header.Size;

    private string Location => _entry.DataSource!.Locate(_entry.DataPath);

    /// <summary>Reads exactly the extent's bytes into <paramref name="block"/>, on the calling thread (a block's fill task).</summary>
    /// <param name="lastDirectory">The fill's own: opens the file by name when the previous file opened was in the same directory.</param>
    /// <exception cref="FsException">The file cannot be opened or read, or its size changed; the message names it.</exception>
    public void ReadInto(byte[] block, FileExtent extent, LastDirectory lastDirectory)
    {
        try
        {
            var handle = Acquire(lastDirectory);
            var filled = extent.FileOffset + extent.Length == Size
                ? ReadLast(handle, block, extent)
                : ReadFully(handle, block.AsSpan(extent.BlockOffset, extent.Length), extent.FileOffset, extent.Length);
            if (filled < extent.Length)
            {
                throw new FsException($"{Location}: file shrank while read (expected {Size} bytes, got {extent.FileOffset + filled})");
            }

            if (filled > extent.Length)
            {
                throw new FsException($"{Location}: file grew while read (expected {Size} bytes)");
            }

            if (Interlocked.Decrement(ref _extentsLeft) == 0)
            {
                // Every extent is read: the file must still be as the diff listed it.
                ReadConsistency.Check(handle, _entry.DataStatus, () => Location);
                Close();
            }
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

    /// <summary>Closes the descriptor; a read still running keeps it alive until it returns (SafeHandle ref-counting).</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            _handle?.Dispose();
        }
    }

    /// <summary>
    /// Closes the descriptor because another file of the same block failed: this file's extents
    /// in other blocks then fail with that cause (unless this file already failed on its own).
    /// </summary>
    public void Abort(Exception cause)
    {
        lock (_gate)
        {
            _failure ??= cause;
        }

        Close();
    }

    /// <summary>
    /// The file's last extent asks for one byte more than is left, so a file that grew since its
    /// lstat shows it in the same pread. That byte lands in the block (on the padding or the next
    /// header) only when the file grew, and then the layer fails and the block is thrown away.
    /// An extent that ends the buffer has no room for it: a 1-byte pread into a scratch probes.
    /// </summary>
    private int ReadLast(SafeFileHandle handle, byte[] block, FileExtent extent)
    {
        if (extent.BlockOffset + extent.Length < block.Length)
        {
            return ReadFully(handle, block.AsSpan(extent.BlockOffset, extent.Length + 1), extent.FileOffset, extent.Length);
        }

        var filled = ReadFully(handle, block.AsSpan(extent.BlockOffset, extent.Length), extent.FileOffset, extent.Length);
        if (filled < extent.Length)
        {
            return filled;
        }

        Span<byte> probe = stackalloc byte[1];
        return filled + PositionalRead.Read(handle, probe, Size, () => Location);
    }

    /// <summary>Fills <paramref name="buffer"/> from <paramref name="offset"/>; returns the bytes read, fewer at end of file.</summary>
    private int ReadFully(SafeFileHandle handle, Span<byte> buffer, long offset, int length)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var wanted = buffer.Length - filled;
            var n = PositionalRead.Read(handle, buffer[filled..], offset + filled, () => Location);
            filled += n;
            if (n == 0 || (n < wanted && filled >= length))
            {
                // End of file, or a short read past the wanted length: nothing more to wait for.
                break;
            }
        }

        return filled;
    }

    /// <summary>
    /// Closes on the first error and remembers it: the file's other extents, read in parallel
    /// by other blocks, then report that same cause (whichever of them the stream sees first)
    /// rather than the closed descriptor they tripped over. Returns the first error.
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

    private SafeFileHandle Acquire(LastDirectory lastDirectory)
    {
        lock (_gate)
        {
            if (_failure is not null)
            {
                throw new FsException(_failure.Message, _failure);
            }

            ObjectDisposedException.ThrowIf(_closed, this);
            return _handle ??= _entry.DataSource!.OpenData(_entry.DataPath, lastDirectory);
        }
    }
}
