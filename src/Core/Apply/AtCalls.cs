using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Apply;

/// <summary>
/// The *at() system calls relative to a directory descriptor that the applier is built from.
/// A name here is one component resolved inside an already-resolved directory, and nothing
/// follows a symbolic link in it, so no call can be redirected out of the layer root.
/// </summary>
internal static unsafe class AtCalls
{
    private const int S_IFCHR = 0x2000;
    private const int S_IFBLK = 0x6000;
    private const int S_IFIFO = 0x1000;

    public static int Fd(SafeFileHandle handle) => (int)handle.DangerousGetHandle();

    /// <summary>openat; 0 and the handle, or the errno.</summary>
    public static int TryOpen(int dirFd, ReadOnlySpan<byte> name, int flags, int mode, out SafeFileHandle? handle)
    {
        int fd;
        using (var c = new CPath(name))
        {
            fd = LibC.OpenAt(dirFd, c.Pointer, flags | LibC.O_CLOEXEC, mode);
        }

        handle = fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : null;
        return fd >= 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>A readable directory descriptor (getdents needs one; O_PATH will not do).</summary>
    public static SafeFileHandle OpenDirectory(int dirFd, ReadOnlySpan<byte> name)
    {
        var errno = TryOpen(dirFd, name, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_NOFOLLOW, 0, out var handle);
        return handle ?? throw new FsException("open directory", PathBytes.Display(name), errno);
    }

    public static bool TryLstat(int dirFd, ReadOnlySpan<byte> name, out FileStatus status, out int errno)
    {
        using var c = new CPath(name);
        return LinuxFileSystem.TryStatxAt(dirFd, c.Pointer, LibC.AT_SYMLINK_NOFOLLOW, out status, out errno);
    }

    /// <summary>lstat that treats a missing name as null and anything else failing as an error.</summary>
    public static FileStatus? LstatOrNull(int dirFd, ReadOnlySpan<byte> name)
    {
        if (TryLstat(dirFd, name, out var status, out var errno))
        {
            return status;
        }

        return errno == Errno.ENOENT ? null : throw new FsException("lstat", PathBytes.Display(name), errno);
    }

    /// <summary>The status of an open descriptor (statx with AT_EMPTY_PATH works on O_PATH ones).</summary>
    public static FileStatus Fstat(SafeFileHandle handle)
    {
        if (!LinuxFileSystem.TryStatDescriptor(Fd(handle), out var status, out var errno))
        {
            throw new FsException("fstat", "<descriptor>", errno);
        }

        return status;
    }

    /// <summary>The names in an open directory, without "." and "..".</summary>
    public static List<byte[]> ReadNames(SafeFileHandle directory)
    {
        var names = new List<byte[]>();
        var buffer = new byte[32 * 1024];
        fixed (byte* b = buffer)
        {
            while (true)
            {
                var n = LibC.GetDents64(Fd(directory), b, (nuint)buffer.Length);
                if (n < 0)
                {
                    throw new FsException("readdir", "<descriptor>", Marshal.GetLastPInvokeError());
                }

                if (n == 0)
                {
                    return names;
                }

                // struct linux_dirent64: d_ino(8) d_off(8) d_reclen(2) d_type(1) d_name[] NUL-terminated.
                for (var off = 0; off < n;)
                {
                    var reclen = *(ushort*)(b + off + 16);
                    var name = new ReadOnlySpan<byte>(b + off + 19, reclen - 19);
                    name = name[..name.IndexOf((byte)0)];
                    if (!name.SequenceEqual("."u8) && !name.SequenceEqual(".."u8))
                    {
                        names.Add(name.ToArray());
                    }

                    off += reclen;
                }
            }
        }
    }

    /// <summary>
    /// Go's os.RemoveAll of dirFd/name: a missing name is fine, a directory is emptied depth-first
    /// through descriptors opened with O_NOFOLLOW, so a symlink inside is removed, never followed.
    /// </summary>
    public static void RemoveAll(int dirFd, ReadOnlySpan<byte> name)
    {
        var errno = Unlink(dirFd, name, 0);
        if (errno is 0 or Errno.ENOENT)
        {
            return;
        }

        if (errno != Errno.EISDIR)
        {
            throw new FsException("unlink", PathBytes.Display(name), errno);
        }

        using (var directory = OpenDirectory(dirFd, name))
        {
            foreach (var child in ReadNames(directory))
            {
                RemoveAll(Fd(directory), child);
            }
        }

        errno = Unlink(dirFd, name, LibC.AT_REMOVEDIR);
        if (errno is not (0 or Errno.ENOENT))
        {
            throw new FsException("rmdir", PathBytes.Display(name), errno);
        }
    }

    private static int Unlink(int dirFd, ReadOnlySpan<byte> name, int flags)
    {
        using var c = new CPath(name);
        return LibC.UnlinkAt(dirFd, c.Pointer, flags) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>renameat: <paramref name="toName"/> is replaced atomically (it names no directory here).</summary>
    public static void Rename(int fromDirFd, ReadOnlySpan<byte> fromName, int toDirFd, ReadOnlySpan<byte> toName)
    {
        using var from = new CPath(fromName);
        using var to = new CPath(toName);
        Check(LibC.RenameAt(fromDirFd, from.Pointer, toDirFd, to.Pointer), "rename", toName);
    }

    /// <summary>unlinkat that reports nothing: for a temporary file on the way out of a failure.</summary>
    public static void TryUnlink(int dirFd, ReadOnlySpan<byte> name) => Unlink(dirFd, name, 0);

    public static void Mkdir(int dirFd, ReadOnlySpan<byte> name, uint mode)
    {
        using var c = new CPath(name);
        Check(LibC.MkdirAt(dirFd, c.Pointer, mode), "mkdir", name);
    }

    public static void Symlink(ReadOnlySpan<byte> target, int dirFd, ReadOnlySpan<byte> name)
    {
        using var t = new CPath(target);
        using var c = new CPath(name);
        Check(LibC.SymlinkAt(t.Pointer, dirFd, c.Pointer), "symlink", name);
    }

    /// <summary>linkat without AT_SYMLINK_FOLLOW: a link to a symlink links the symlink itself.</summary>
    public static void Link(int fromDirFd, ReadOnlySpan<byte> fromName, int dirFd, ReadOnlySpan<byte> name)
    {
        using var from = new CPath(fromName);
        using var c = new CPath(name);
        Check(LibC.LinkAt(fromDirFd, from.Pointer, dirFd, c.Pointer, 0), "link", name);
    }

    public static void Mknod(int dirFd, ReadOnlySpan<byte> name, FileKind kind, uint major, uint minor)
    {
        var type = kind switch
        {
            FileKind.CharDevice => S_IFCHR,
            FileKind.BlockDevice => S_IFBLK,
            _ => S_IFIFO,
        };
        using var c = new CPath(name);
        Check(LibC.MknodAt(dirFd, c.Pointer, (uint)(type | 0x180), LibC.MakeDev(major, minor)), "mknod", name);
    }

    public static void Check(int rc, string operation, ReadOnlySpan<byte> name)
    {
        if (rc != 0)
        {
            throw new FsException(operation, PathBytes.Display(name), Marshal.GetLastPInvokeError());
        }
    }
}
