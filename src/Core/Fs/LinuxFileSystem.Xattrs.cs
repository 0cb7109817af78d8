using System.Runtime.InteropServices;
using System.Text;
using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Fs;

public sealed unsafe partial class LinuxFileSystem
{
    public byte[]? GetXattr(ReadOnlySpan<byte> path, string name)
    {
        using var deep = DeepPath.Open(path, resolve: 0, out var openErrno);
        if (deep.Failed)
        {
            throw new FsException($"getxattr {name}", PathBytes.Display(path), openErrno);
        }

        using var c = new CPath(deep.PathForCall);
        using var n = new CPath(Encoding.ASCII.GetBytes(name));
        Span<byte> small = stackalloc byte[256];
        fixed (byte* s = small)
        {
            var len = LibC.LGetXattr(c.Pointer, n.Pointer, s, (nuint)small.Length);
            if (len >= 0)
            {
                return small[..(int)len].ToArray();
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno is Errno.ENODATA or Errno.EOPNOTSUPP)
            {
                return null;
            }

            if (errno != Errno.ERANGE)
            {
                throw new FsException($"getxattr {name}", PathBytes.Display(path), errno);
            }
        }

        // The value is larger than the first guess: ask for its size, then read it.
        while (true)
        {
            var size = LibC.LGetXattr(c.Pointer, n.Pointer, null, 0);
            if (size < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno is Errno.ENODATA or Errno.EOPNOTSUPP)
                {
                    return null;
                }

                throw new FsException($"getxattr {name}", PathBytes.Display(path), errno);
            }

            var value = new byte[size];
            fixed (byte* v = value)
            {
                var got = LibC.LGetXattr(c.Pointer, n.Pointer, v, (nuint)value.Length);
                if (got >= 0)
                {
                    return value[..(int)got];
                }

                if (Marshal.GetLastPInvokeError() != Errno.ERANGE)
                {
                    throw new FsException($"getxattr {name}", PathBytes.Display(path), Marshal.GetLastPInvokeError());
                }
            }
        }
    }
}
