using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Fs;

/// <summary>
/// pread(2) on a descriptor from <see cref="IFileSystem.OpenRead(ReadOnlySpan{byte})"/> or
/// <see cref="PlainRead.TryOpen"/>. RandomAccess.Read asks the kernel once per handle whether it
/// can seek (an lseek): one system call more per file, which on an upper of 100,000 small files is
/// 100,000 calls for an answer we already know (a regular file).
/// </summary>
public static class PositionalRead
{
    /// <summary>Reads up to <paramref name="buffer"/>.Length bytes at <paramref name="offset"/>; 0 at end of file.</summary>
    /// <param name="location">Names the file in the error; called only when the read fails.</param>
    /// <exception cref="FsException">The read failed; the message names the file and the errno.</exception>
    public static int Read(SafeFileHandle handle, Span<byte> buffer, long offset, Func<string> location)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(handle);
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return Read((int)handle.DangerousGetHandle(), buffer, offset, location, null);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <inheritdoc cref="Read(SafeFileHandle, Span{byte}, long, Func{string})"/>
    /// <param name="path">The file's path, for the error.</param>
    public static int Read(PlainFile file, Span<byte> buffer, long offset, string path)
    {
        ArgumentNullException.ThrowIfNull(file);
        return Read(file.Descriptor, buffer, offset, null, path);
    }

    private static unsafe int Read(int fd, Span<byte> buffer, long offset, Func<string>? location, string? path)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                var n = LibC.PRead(fd, p, (nuint)buffer.Length, offset);
                if (n >= 0)
                {
                    return (int)n;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno != Errno.EINTR)
                {
                    throw new FsException("read", path ?? location!(), errno);
                }
            }
        }
    }
}
