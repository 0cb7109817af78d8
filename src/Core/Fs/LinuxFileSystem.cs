using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Fs;

/// <summary>The real Linux system calls behind <see cref="IFileSystem"/>.</summary>
public sealed unsafe partial class LinuxFileSystem : IFileSystem
{
    public static readonly LinuxFileSystem Instance = new();

    private const int S_IFMT = 0xF000;

    public bool TryLstat(ReadOnlySpan<byte> path, out FileStatus status, out int errno) =>
        TryStatx(path, LibC.AT_SYMLINK_NOFOLLOW, out status, out errno);

    /// <summary>As <see cref="TryLstat"/>, but a symbolic link at the end of the path is followed (stat(2)).</summary>
    public static bool TryStat(ReadOnlySpan<byte> path, out FileStatus status, out int errno) =>
        TryStatx(path, 0, out status, out errno);

    /// <summary>
    /// The status of an open descriptor, O_PATH ones included: statx of the empty name with
    /// AT_EMPTY_PATH, no path walked and none encoded.
    /// </summary>
    public static bool TryStatDescriptor(int fd, out FileStatus status, out int errno)
    {
        byte empty = 0;
        return TryStatxAt(fd, &empty, LibC.AT_EMPTY_PATH | LibC.AT_SYMLINK_NOFOLLOW, out status, out errno);
    }

    private static bool TryStatx(ReadOnlySpan<byte> path, int flags, out FileStatus status, out int errno)
    {
        using var deep = DeepPath.Open(path, resolve: 0, out errno);
        if (deep.Failed)
        {
            status = default;
            return false;
        }

        using var c = new CPath(deep.Name);
        return TryStatxAt(deep.DirFd, c.Pointer, flags, out status, out errno);
    }

    /// <summary>statx(dirFd, name, flags) for the basic fields, as a status or an errno.</summary>
    internal static bool TryStatxAt(int dirFd, byte* name, int flags, out FileStatus status, out int errno)
    {
        LibC.Statx sx;
        if (LibC.StatxCall(dirFd, name, flags, LibC.STATX_BASIC_STATS, &sx) != 0)
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
            (long)sx.Blocks)
        {
            CtimeSeconds = sx.Ctime.Seconds,
            CtimeNanoseconds = (int)sx.Ctime.Nanoseconds,
        };
    }

    public byte[] ReadLink(ReadOnlySpan<byte> path)
    {
        using var deep = DeepPath.Open(path, resolve: 0, out var errno);
        if (deep.Failed)
        {
            throw new FsException("readlink", PathBytes.Display(path), errno);
        }

        using var c = new CPath(deep.Name);
        var buffer = new byte[4096];
        while (true)
        {
            nint n;
            fixed (byte* b = buffer)
            {
                n = LibC.ReadLinkAt(deep.DirFd, c.Pointer, b, (nuint)buffer.Length);
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
        const ulong resolve = LibC.RESOLVE_NO_SYMLINKS | LibC.RESOLVE_NO_MAGICLINKS;
        using var deep = DeepPath.Open(path, resolve, out var errno);
        return deep.Failed
            ? throw new FsException("open", PathBytes.Display(path), errno)
            : Open(deep.DirFd, deep.Name, path, resolve);
    }

    public SafeFileHandle OpenRead(ReadOnlySpan<byte> path, LastDirectory lastDirectory)
    {
        ArgumentNullException.ThrowIfNull(lastDirectory);
        var slash = path.LastIndexOf((byte)'/');
        if (slash <= 0)
        {
            return OpenRead(path);
        }

        var directory = lastDirectory.Descriptor(path[..slash], out var errno);
        if (directory < 0)
        {
            throw new FsException("open", PathBytes.Display(path), errno);
        }

        // The directory was opened following no link; RESOLVE_BENEATH keeps the bare name in it.
        return Open(directory, path[(slash + 1)..], path, LibC.RESOLVE_BENEATH | LibC.RESOLVE_NO_SYMLINKS | LibC.RESOLVE_NO_MAGICLINKS);
    }

    /// <summary>openat2 of a regular file for reading, refusing a link as the last component (O_NOFOLLOW).</summary>
    /// <param name="path">The file's absolute path, for the error.</param>
    private static SafeFileHandle Open(int dirFd, ReadOnlySpan<byte> name, ReadOnlySpan<byte> path, ulong resolve)
    {
        var fd = LibC.OpenAt2(dirFd, name, (ulong)(LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC | LibC.O_NONBLOCK), resolve);

        if (fd < 0)
        {
            throw Fail("open", path);
        }

        return new SafeFileHandle((nint)fd, ownsHandle: true);
    }

    private static FsException Fail(string operation, ReadOnlySpan<byte> path) =>
        new(operation, PathBytes.Display(path), Marshal.GetLastPInvokeError());
}
