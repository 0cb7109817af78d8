using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Fs;

/// <summary>The real Linux system calls behind <see cref="IFileSystem"/>.</summary>
public sealed unsafe class LinuxFileSystem : IFileSystem
{
    public static readonly LinuxFileSystem Instance = new();

    private const int S_IFMT = 0xF000;

    public bool TryLstat(ReadOnlySpan<byte> path, out FileStatus status, out int errno)
    {
        LibC.Statx sx;
        int rc;
        using (var c = new CPath(path))
        {
            rc = LibC.StatxCall(LibC.AT_FDCWD, c.Pointer, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, &sx);
        }

        if (rc != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            status = default;
            return false;
        }

        errno = 0;
        status = FromStatx(in sx);
        return true;
    }

    internal static FileStatus FromStatx(in LibC.Statx sx)
    {
        var kind = (sx.Mode & S_IFMT) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0xA000 => FileKind.Symlink,
            0x2000 => FileKind.CharDevice,
            0x6000 => FileKind.BlockDevice,
            0x1000 => FileKind.Fifo,
            0xC000 => FileKind.Socket,
            _ => throw new FsException($"unknown file type {sx.Mode & S_IFMT:x}"),
        };
        return new FileStatus(
            kind,
            sx.Mode & 0xFFF,
            sx.Uid,
            sx.Gid,
            (long)sx.Size,
            sx.Mtime.Seconds,
            (int)sx.Mtime.Nanoseconds,
            sx.Inode,
            ((ulong)sx.DevMajor << 32) | sx.DevMinor,
            sx.LinkCount,
            sx.RdevMajor,
            sx.RdevMinor,
            (long)sx.Blocks);
    }

    public List<byte[]> ReadDirectory(ReadOnlySpan<byte> path)
    {
        int fd;
        using (var c = new CPath(path))
        {
            fd = LibC.OpenAt(LibC.AT_FDCWD, c.Pointer, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
        }

        if (fd < 0)
        {
            throw Fail("open directory", path);
        }

        try
        {
            var names = new List<byte[]>();
            var buffer = new byte[32 * 1024];
            fixed (byte* b = buffer)
            {
                while (true)
                {
                    var n = LibC.GetDents64(fd, b, (nuint)buffer.Length);
                    if (n < 0)
                    {
                        throw Fail("readdir", path);
                    }

                    if (n == 0)
                    {
                        break;
                    }

                    // struct linux_dirent64: d_ino(8) d_off(8) d_reclen(2) d_type(1) d_name[]
                    for (var off = 0; off < n;)
                    {
                        var reclen = *(ushort*)(b + off + 16);
                        var name = new ReadOnlySpan<byte>(b + off + 19, reclen - 19);
                        var len = name.IndexOf((byte)0);
                        name = name[..len];
                        if (!(name.Length == 1 && name[0] == (byte)'.') && !(name.Length == 2 && name[0] == (byte)'.' && name[1] == (byte)'.'))
                        {
                            names.Add(name.ToArray());
                        }

                        off += reclen;
                    }
                }
            }

            return names;
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    public byte[]? GetXattr(ReadOnlySpan<byte> path, string name)
    {
        using var c = new CPath(path);
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

    public List<string> ListXattrs(ReadOnlySpan<byte> path)
    {
        using var c = new CPath(path);
        var result = new List<string>();
        while (true)
        {
            var size = LibC.LListXattr(c.Pointer, null, 0);
            if (size < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.EOPNOTSUPP)
                {
                    return result;
                }

                throw new FsException("listxattr", PathBytes.Display(path), errno);
            }

            if (size == 0)
            {
                return result;
            }

            var list = new byte[size];
            nint got;
            fixed (byte* l = list)
            {
                got = LibC.LListXattr(c.Pointer, l, (nuint)list.Length);
            }

            if (got < 0)
            {
                if (Marshal.GetLastPInvokeError() == Errno.ERANGE)
                {
                    continue;
                }

                throw new FsException("listxattr", PathBytes.Display(path), Marshal.GetLastPInvokeError());
            }

            foreach (var part in list.AsSpan(0, (int)got).Split((byte)0))
            {
                var bytes = list.AsSpan(0, (int)got)[part];
                if (bytes.Length > 0)
                {
                    result.Add(Encoding.UTF8.GetString(bytes));
                }
            }

            return result;
        }
    }

    public byte[] ReadLink(ReadOnlySpan<byte> path)
    {
        using var c = new CPath(path);
        var buffer = new byte[4096];
        while (true)
        {
            nint n;
            fixed (byte* b = buffer)
            {
                n = LibC.ReadLinkAt(LibC.AT_FDCWD, c.Pointer, b, (nuint)buffer.Length);
            }

            if (n < 0)
            {
                throw Fail("readlink", path);
            }

            if (n < buffer.Length)
            {
                return buffer[..(int)n];
            }

            buffer = new byte[buffer.Length * 2];
        }
    }

    public SafeFileHandle OpenRead(ReadOnlySpan<byte> path)
    {
        var how = new LibC.OpenHow
        {
            Flags = (ulong)(LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC | LibC.O_NONBLOCK),
            Resolve = LibC.RESOLVE_NO_SYMLINKS | LibC.RESOLVE_NO_MAGICLINKS,
        };
        long fd;
        using (var c = new CPath(path))
        {
            fd = LibC.Syscall4(LibC.SysOpenat2, LibC.AT_FDCWD, (long)c.Pointer, (long)&how, sizeof(LibC.OpenHow));
        }

        if (fd < 0)
        {
            throw Fail("open", path);
        }

        return new SafeFileHandle((nint)fd, ownsHandle: true);
    }

    private static FsException Fail(string operation, ReadOnlySpan<byte> path) =>
        new(operation, PathBytes.Display(path), Marshal.GetLastPInvokeError());
}
