using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Layers;

/// <summary>
/// A write-only file stream that asks the kernel to start writing each <see cref="KickBytes"/>
/// to disk as soon as they are written (sync_file_range, SYNC_FILE_RANGE_WRITE), not at the
/// final fsync. With 24 GiB of page cache nothing else would start the writeback of a 1 GiB blob
/// before that fsync, which then waits for the whole disk write (about 5 s here) after the last
/// block is compressed; started early, the disk works while we compress and the fsync waits for
/// the tail only. Durability is unchanged: the fsync still decides it.
/// </summary>
internal sealed class WritebackStream : Stream
{
    /// <summary>How much is written before each writeback request: large enough that the calls cost nothing.</summary>
    public const long KickBytes = 8L * 1024 * 1024;

    private readonly FileStream _file;
    private long _position;
    private long _kicked;
    private bool _unsupported;

    public WritebackStream(FileStream file) => _file = file;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => _file.CanWrite;

    public override long Length => _position;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    /// <summary>Writeback requests made so far (for tests).</summary>
    internal int Kicks { get; private set; }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _file.Write(buffer);
        _position += buffer.Length;
        if (_position - _kicked >= KickBytes)
        {
            Kick();
        }
    }

    public override void Flush() => _file.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Kick()
    {
        if (_unsupported)
        {
            return;
        }

        // FileStream may still hold the last few bytes in its own buffer; the range is what the kernel has.
        _file.Flush();
        var fd = (int)_file.SafeFileHandle.DangerousGetHandle();
        if (LibC.SyncFileRange(fd, _kicked, _position - _kicked, LibC.SYNC_FILE_RANGE_WRITE) != 0)
        {
            // Some file systems refuse it (EINVAL/ESPIPE on FUSE or a pipe). It was only a head start:
            // the commit's fsync writes everything and reports any I/O error.
            _unsupported = true;
            return;
        }

        _kicked = _position;
        Kicks++;
    }
}
