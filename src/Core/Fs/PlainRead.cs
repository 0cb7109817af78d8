using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Fs;

/// <summary>
/// Reads a file by name with open(2), pread(2) and close(2) alone. .NET's FileStream and
/// File.ReadAllBytes also take a shared flock (to honour FileShare against other .NET processes),
/// fstat the file twice and give it back: a warm --cache export reads a record, a layer blob and two
/// documents per snapshot, and those calls were nine in every ten it made for them. Nothing here
/// locks: what is read is named by its digest and checked against it, or a record whose torn copy
/// reads as none.
/// </summary>
public static class PlainRead
{
    /// <summary>Opens a file for reading; null with <paramref name="errno"/> set when it cannot be.</summary>
    /// <exception cref="ArgumentException">The path holds a NUL character.</exception>
    public static unsafe PlainFile? TryOpen(string path, out int errno)
    {
        ArgumentNullException.ThrowIfNull(path);
        // The path's bytes on the stack: this runs four times a snapshot in a warm export.
        var bytes = CString.FitsStack(path) ? stackalloc byte[CString.StackBytes] : CString.Array(path);
        CString.Encode(path, bytes);
        int fd;
        fixed (byte* p = bytes)
        {
            fd = LibC.OpenAt(LibC.AT_FDCWD, p, LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        }

        if (fd < 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }

        errno = 0;
        return new PlainFile(fd);
    }

    /// <summary>Whether an open failed because the file is not there (ENOENT, or a directory on its path that is not one).</summary>
    public static bool IsMissing(int errno) => errno is Errno.ENOENT or Errno.ENOTDIR;

    /// <summary>
    /// The whole file, read until pread says its end. <paramref name="expected"/> sizes the first
    /// read one byte past it, so a file of that size costs one read (short: its bytes and its end).
    /// </summary>
    /// <param name="limit">The most bytes accepted; a longer file gives null (it is not what the caller looks for).</param>
    /// <exception cref="FsException">A read failed; the message names the file.</exception>
    public static byte[]? ReadAll(PlainFile handle, string path, int expected, int limit = int.MaxValue - 64)
    {
        using var bytes = ReadAllPooled(handle, path, expected, limit);
        return bytes.IsNull ? null : bytes.Span.ToArray();
    }

    /// <summary>
    /// <see cref="ReadAll"/> into a buffer from the shared pool, given back when the result is
    /// disposed: a warm export reads a record and two documents a snapshot, and a new array for
    /// each was fresh memory the kernel had to fault in (the reads' own page faults).
    /// </summary>
    /// <inheritdoc cref="ReadAll"/>
    public static PooledBytes ReadAllPooled(PlainFile handle, string path, int expected, int limit = int.MaxValue - 64) =>
        ReadAllPooled(handle, path, expected, limit, shortReadEnds: false);

    /// <inheritdoc cref="ReadAllPooled(PlainFile, string, int, int)"/>
    /// <param name="shortReadEnds">
    /// The file is on a file system whose reads of a regular file come back short only at its end
    /// (<see cref="ShortReads.End"/>: ext4, XFS, tmpfs and btrfs read through the page cache until
    /// the count or the end of the file), so any short read is the end.
    /// </param>
    public static PooledBytes ReadAllPooled(PlainFile handle, string path, int expected, int limit, bool shortReadEnds)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var length = Math.Min(Math.Max(expected, 0), limit) + 1;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        var total = 0;
        try
        {
            while (true)
            {
                if (total == length)
                {
                    if (total > limit)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        return default;
                    }

                    length = (int)Math.Min((long)length * 2, (long)limit + 1);
                    if (length > buffer.Length)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(length);
                        buffer.AsSpan(0, total).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                }

                var asked = length - total;
                var n = PositionalRead.Read(handle, buffer.AsSpan(total, asked), total, path);
                total += n;
                // A file of the expected size reads short (one byte was asked past it): that is its end,
                // and saves a second call per file. Any other short read reads on to a read of nothing,
                // as a filesystem may read short before its end (some FUSE modes).
                if (n == 0 || (n < asked && (total == expected || shortReadEnds)))
                {
                    return new PooledBytes(buffer, total);
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>
    /// The file's length and "sha256:…", read with pread until its end. With <paramref name="size"/>,
    /// the size the caller expects, the first read asks one byte past it, so a file of that size
    /// reads short (its bytes and its end) in one call; a short read ends the loop only there, and
    /// any other length reads on to a read of nothing, so a filesystem that reads short before its
    /// end cannot make a sound file look cut. A file longer than <paramref name="size"/> is measured,
    /// not hashed: its digest is null.
    /// </summary>
    /// <exception cref="FsException">A read failed; the message names the file.</exception>
    public static (long Length, string? Digest) Sha256(PlainFile handle, string path, long? size = null)
    {
        ArgumentNullException.ThrowIfNull(handle);
        var length = size is { } expected ? (int)Math.Min(expected + 1, HashReadSize) : HashReadSize;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var first = PositionalRead.Read(handle, buffer.AsSpan(0, length), 0, path);
            if (first < length && first == size)
            {
                // The whole file in one read (the warm export's small blobs): hashed in one call,
                // without a hash object (an OpenSSL context and its finalizable handle) per blob.
                return (first, Sha256Text.Of(buffer.AsSpan(0, first)));
            }

            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long total = 0;
            for (var read = first; read > 0; read = PositionalRead.Read(handle, buffer.AsSpan(0, length), total, path))
            {
                total += read;
                if (total > size)
                {
                    return (LengthOf(handle, path), null);
                }

                hash.AppendData(buffer, 0, read);
                if (total == size && read < length)
                {
                    break;
                }
            }

            return (total, Sha256Text.FromHash(hash.GetHashAndReset()));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private const int HashReadSize = 1 << 20;

    /// <summary>The open file's length now (statx of the descriptor).</summary>
    private static long LengthOf(PlainFile file, string path) =>
        LinuxFileSystem.TryStatDescriptor(file.Descriptor, out var status, out var errno) ? status.Size : throw new FsException("fstat", path, errno);
}
