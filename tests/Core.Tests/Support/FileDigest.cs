using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Tests.Support;

/// <summary>sha256 of a regular file, opened without following a final symlink.</summary>
internal static class FileDigest
{
    public static unsafe string Sha256Hex(byte[] path)
    {
        int fd;
        using (var c = new CPath(path))
        {
            fd = LibC.OpenAt(LibC.AT_FDCWD, c.Pointer, LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
        }

        if (fd < 0)
        {
            throw new FsException("open", PathBytes.Display(path), Marshal.GetLastPInvokeError());
        }

        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        long offset = 0;
        while (true)
        {
            var n = RandomAccess.Read(handle, buffer, offset);
            if (n == 0)
            {
                break;
            }

            hash.AppendData(buffer, 0, n);
            offset += n;
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
