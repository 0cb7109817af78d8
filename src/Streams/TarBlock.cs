using System.Buffers;
using ParallelDiff.Core.Fs;

namespace ParallelDiff.Streams;

/// <summary>
/// One block of the tar as laid out by <see cref="TarBlockAssembler"/>: a buffer rented from
/// LayerBufferPool that already holds the bytes known up front (headers, padding, the end
/// marker), and the file-data extents still to read into it, in order.
/// </summary>
internal sealed class TarBlock
{
    private readonly List<FileExtent> _extents = [];
    private readonly DispatcherTaskScheduler _io;
    private readonly ReadAheadGauge _gauge;

    public TarBlock(byte[] buffer, DispatcherTaskScheduler io, ReadAheadGauge gauge)
    {
        Buffer = buffer;
        _io = io;
        _gauge = gauge;
    }

    public byte[] Buffer { get; }

    /// <summary>Bytes of the block laid out so far, known or still to read.</summary>
    public int Length { get; private set; }

    /// <summary>File data still to read into the block: what its fill counts against the read-ahead budget.</summary>
    public long DataBytes { get; private set; }

    /// <summary>Copies known bytes to the end of the block.</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Buffer.AsSpan(Length));
        Length += bytes.Length;
    }

    /// <summary>Appends NUL bytes (padding; the rented buffer holds whatever its last renter left).</summary>
    public void AppendZeros(int count)
    {
        Buffer.AsSpan(Length, count).Clear();
        Length += count;
    }

    /// <summary>Reserves the next <paramref name="length"/> bytes for data of <paramref name="reader"/>'s file at <paramref name="fileOffset"/>.</summary>
    public void AppendData(FileDataReader reader, long fileOffset, int length)
    {
        _extents.Add(new FileExtent(reader, fileOffset, Length, length));
        Length += length;
        DataBytes += length;
    }

    /// <summary>
    /// Performs the block's reads in order on the io-dispatcher: one task per block, so hundreds
    /// of small files cost one hop, and data lands in the block without a copy. The data counts
    /// against the read-ahead gauge from here until the caller releases it (see
    /// <see cref="TarEncodingFlow"/>). Consecutive files mostly share a directory: the fill keeps
    /// the last one open (its own, on its one thread) and opens each file in it by name, then
    /// closes it. On failure the block's buffer goes back to the pool (no one else has it) and the
    /// descriptors of its unread extents are closed.
    /// </summary>
    public Task<LayerBytes> FillAsync() => _extents.Count == 0
        ? Task.FromResult(LayerBytes.Rented(Buffer, Length))
        : _io.Run(Fill);

    /// <summary>Closes the files of extents that will never be read (the stream stopped before this block was filled).</summary>
    public void Abandon()
    {
        foreach (var extent in _extents)
        {
            extent.Reader.Close();
        }

        LayerBufferPool.Return(Buffer);
    }

    private LayerBytes Fill()
    {
        _gauge.Acquire(DataBytes);
        var done = 0;
        using var lastDirectory = new LastDirectory();
        try
        {
            for (; done < _extents.Count; done++)
            {
                _extents[done].Reader.ReadInto(Buffer, _extents[done], lastDirectory);
            }

            return LayerBytes.Rented(Buffer, Length);
        }
        catch (Exception cause)
        {
            _gauge.Release(DataBytes);
            // A file spanning into later blocks would otherwise wait for this extent forever. The
            // later blocks, filling in parallel, may reach its other extents before this task has
            // faulted: they must report this cause, not the closed descriptor they find.
            for (var i = done; i < _extents.Count; i++)
            {
                _extents[i].Reader.Abort(cause);
            }

            LayerBufferPool.Return(Buffer);
            throw;
        }
    }
}
