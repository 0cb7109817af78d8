using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Tests.Kernel;

/// <summary>
/// The system calls the scenarios make, on string paths (the scenarios only use ASCII names).
/// Each returns 0 or the errno, so that an operation the kernel refuses can be recorded in the
/// scenario's log instead of aborting it; <see cref="Must"/> turns a failure into an exception.
/// </summary>
internal static unsafe class Posix
{
    public const uint S_IFIFO = 0x1000;
    public const uint S_IFCHR = 0x2000;
    public const uint S_IFBLK = 0x6000;
    public const int EXDEV = 18;

    private const int O_APPEND = 0x400;

    public static void Must(int errno, string what, string path)
    {
        if (errno != 0)
        {
            throw new IOException($"{what} {path}: errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)})");
        }
    }

    public static int Mkdir(string path, int mode) => Call(path, p => LibC.MkdirAt(LibC.AT_FDCWD, p, (uint)mode));

    public static int Mknod(string path, uint typeAndMode, uint major, uint minor) =>
        Call(path, p => LibC.MknodAt(LibC.AT_FDCWD, p, typeAndMode, LibC.MakeDev(major, minor)));

    public static int Symlink(string target, string path)
    {
        using var t = new CPath(Encoding.UTF8.GetBytes(target));
        var pointer = t.Pointer;
        return Call(path, p => LibC.SymlinkAt(pointer, LibC.AT_FDCWD, p));
    }

    /// <summary>link(2) of the name itself (flags 0: a symlink is linked, not followed).</summary>
    public static int Link(string existing, string path)
    {
        using var from = new CPath(Encoding.UTF8.GetBytes(existing));
        var pointer = from.Pointer;
        return Call(path, p => LibC.LinkAt(LibC.AT_FDCWD, pointer, LibC.AT_FDCWD, p, 0));
    }

    public static int Rename(string from, string to)
    {
        using var f = new CPath(Encoding.UTF8.GetBytes(from));
        var pointer = f.Pointer;
        return Call(to, p => LibC.RenameAt(LibC.AT_FDCWD, pointer, LibC.AT_FDCWD, p));
    }

    public static int Lchown(string path, long uid, long gid) =>
        Call(path, p => LibC.FchownAt(LibC.AT_FDCWD, p, (uint)uid, (uint)gid, LibC.AT_SYMLINK_NOFOLLOW));

    public static int Chmod(string path, int mode) => Call(path, p => LibC.FchmodAt(LibC.AT_FDCWD, p, (uint)mode, 0));

    public static int Unlink(string path) => Call(path, p => LibC.UnlinkAt(LibC.AT_FDCWD, p, 0));

    /// <summary>atime and mtime both set, without following a symlink.</summary>
    public static int SetTimes(string path, long seconds, long nanoseconds)
    {
        var times = stackalloc LibC.Timespec[2];
        times[0] = new LibC.Timespec { Seconds = seconds, Nanoseconds = nanoseconds };
        times[1] = times[0];
        return Call(path, p => LibC.UtimensAt(LibC.AT_FDCWD, p, times, LibC.AT_SYMLINK_NOFOLLOW));
    }

    public static int SetXattr(string path, string name, byte[] value)
    {
        using var n = new CPath(Encoding.ASCII.GetBytes(name));
        var namePointer = n.Pointer;
        fixed (byte* v = value)
        {
            var valuePointer = v;
            return Call(path, p => LibC.LSetXattr(p, namePointer, valuePointer, (nuint)value.Length, 0));
        }
    }

    /// <summary>Creates (exclusively, or truncating when <paramref name="truncate"/>) and writes a whole file.</summary>
    public static int WriteFile(string path, byte[] data, int mode, bool truncate)
    {
        var flags = LibC.O_WRONLY | LibC.O_CREAT | LibC.O_NOFOLLOW | LibC.O_CLOEXEC | (truncate ? LibC.O_TRUNC : LibC.O_EXCL);
        return WithFile(path, flags, mode, h => RandomAccess.Write(h, data, 0));
    }

    public static int Append(string path, byte[] data) =>
        WithFile(path, LibC.O_WRONLY | O_APPEND | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0, h => RandomAccess.Write(h, data, RandomAccess.GetLength(h)));

    /// <summary>Writes over the start of an existing file without changing its length.</summary>
    public static int Overwrite(string path, byte[] data) =>
        WithFile(path, LibC.O_WRONLY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0, h => RandomAccess.Write(h, data, 0));

    public static int Truncate(string path, long length) =>
        WithFile(path, LibC.O_WRONLY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0, h =>
        {
            if (LibC.Ftruncate((int)h.DangerousGetHandle(), length) != 0)
            {
                throw new IOException($"ftruncate {path}: errno {Marshal.GetLastPInvokeError()}");
            }
        });

    private static int WithFile(string path, int flags, int mode, Action<SafeFileHandle> action)
    {
        int fd;
        using (var c = new CPath(Encoding.UTF8.GetBytes(path)))
        {
            fd = LibC.OpenAt(LibC.AT_FDCWD, c.Pointer, flags, mode);
        }

        if (fd < 0)
        {
            return Marshal.GetLastPInvokeError();
        }

        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        action(handle);
        return 0;
    }

    private delegate int PathCall(byte* path);

    private static int Call(string path, PathCall call)
    {
        using var c = new CPath(Encoding.UTF8.GetBytes(path));
        return call(c.Pointer) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }
}
