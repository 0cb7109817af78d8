using System.Runtime.InteropServices;
using System.Text;
using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Fs;

public sealed unsafe partial class LinuxFileSystem
{
    /// <summary>
    /// Set once listxattrat has been refused (a kernel before 6.13, or a seccomp filter that does
    /// not know the call): every later listing asks llistxattr by absolute path straight away.
    /// </summary>
    private static volatile bool s_listXattrAtRefused;

    /// <summary>False only in tests, to take the llistxattr path a kernel before 6.13 takes.</summary>
    private readonly bool _useListXattrAt = true;

    public LinuxFileSystem()
    {
    }

    /// <param name="useListXattrAt">False: list xattrs by absolute path, as on a kernel before 6.13.</param>
    internal LinuxFileSystem(bool useListXattrAt) => _useListXattrAt = useListXattrAt;

    public List<string> ListXattrs(ReadOnlySpan<byte> path)
    {
        using var deep = DeepPath.Open(path, resolve: 0, out var errno);
        if (deep.Failed)
        {
            throw new FsException("listxattr", PathBytes.Display(path), errno);
        }

        using var c = new CPath(deep.PathForCall);
        if (!TryListXattrNames(LibC.AT_FDCWD, c.Pointer, out var names, out errno))
        {
            throw new FsException("listxattr", PathBytes.Display(path), errno);
        }

        return [.. names];
    }

    /// <summary>
    /// The xattr names of the file open as <paramref name="fd"/>: flistxattr, which every kernel has
    /// and which walks no path (a bulk export's stat print lists each upper's root this way, its
    /// path eight directories deep).
    /// </summary>
    /// <param name="path">The file's path, for errors.</param>
    internal static string[] ListXattrsOf(int fd, ReadOnlySpan<byte> path)
    {
        if (!TryListXattrNames(fd, null, out var names, out var errno))
        {
            throw new FsException("listxattr", PathBytes.Display(path), errno);
        }

        return names;
    }

    /// <summary>
    /// The xattr names of <paramref name="name"/> in the directory open as <paramref name="dirFd"/>:
    /// listxattrat, so the kernel looks up one name instead of walking the whole path again.
    /// </summary>
    /// <param name="cName">The same name, NUL-terminated.</param>
    /// <param name="directory">The directory's absolute path, for the fallback and for errors.</param>
    private string[] ListXattrsAt(int dirFd, byte* cName, ReadOnlySpan<byte> directory, ReadOnlySpan<byte> name)
    {
        int errno;
        if (_useListXattrAt && !s_listXattrAtRefused)
        {
            if (TryListXattrNames(dirFd, cName, out var names, out errno))
            {
                return names;
            }

            if (errno == Errno.ENOSYS)
            {
                s_listXattrAtRefused = true;
            }
            else if (errno != Errno.EPERM)
            {
                throw new FsException("listxattr", PathBytes.Display(PathBytes.Join(directory, name)), errno);
            }
        }

        // Before Linux 6.13 (ENOSYS), or a seccomp profile whose default answer to a call it does
        // not know is EPERM: the same names by absolute path. The directory was opened without
        // following a link and the path is canonical, so this reads the same inode unless the tree
        // changes under us, which the status read from the descriptor would not show either.
        var absolute = PathBytes.Join(directory, name);
        using var deep = DeepPath.Open(absolute, resolve: 0, out errno);
        if (deep.Failed)
        {
            throw new FsException("listxattr", PathBytes.Display(absolute), errno);
        }

        using var c = new CPath(deep.PathForCall);
        if (!TryListXattrNames(LibC.AT_FDCWD, c.Pointer, out var fallback, out errno))
        {
            throw new FsException("listxattr", PathBytes.Display(absolute), errno);
        }

        if (_useListXattrAt)
        {
            // llistxattr answered where listxattrat said EPERM: a filter refuses the new call.
            s_listXattrAtRefused = true;
        }

        return fallback;
    }

    /// <summary>
    /// listxattrat(dirFd, path, AT_SYMLINK_NOFOLLOW), or llistxattr(path) when dirFd is AT_FDCWD
    /// (the call every kernel has), or flistxattr(dirFd) when path is null. No names when the file
    /// system has no xattrs (EOPNOTSUPP).
    /// </summary>
    private static bool TryListXattrNames(int dirFd, byte* path, out string[] names, out int errno)
    {
        // Most entries have no xattr, many a short list: one call into a stack buffer answers
        // both; only a longer list needs its size asked (and may grow before it is read: ERANGE).
        Span<byte> small = stackalloc byte[1024];
        fixed (byte* s = small)
        {
            var got = ListXattrCall(dirFd, path, s, (nuint)small.Length);
            if (got >= 0)
            {
                errno = 0;
                names = ParseNames(small[..(int)got]);
                return true;
            }
        }

        while (true)
        {
            errno = Marshal.GetLastPInvokeError();
            if (errno == Errno.EOPNOTSUPP)
            {
                names = [];
                return true;
            }

            if (errno != Errno.ERANGE)
            {
                names = [];
                return false;
            }

            var size = ListXattrCall(dirFd, path, null, 0);
            if (size < 0)
            {
                continue;
            }

            var list = new byte[size];
            nint got;
            fixed (byte* l = list)
            {
                got = ListXattrCall(dirFd, path, l, (nuint)list.Length);
            }

            if (got >= 0)
            {
                errno = 0;
                names = ParseNames(list.AsSpan(0, (int)got));
                return true;
            }
        }
    }

    private static nint ListXattrCall(int dirFd, byte* path, byte* list, nuint size) =>
        path == null ? LibC.FListXattr(dirFd, list, size)
        : dirFd == LibC.AT_FDCWD
            ? LibC.LListXattr(path, list, size)
            : (nint)LibC.Syscall5(LibC.SysListxattrat, dirFd, (long)path, LibC.AT_SYMLINK_NOFOLLOW, (long)list, (long)size);

    /// <summary>The NUL-separated list listxattr(2) fills in, as names.</summary>
    private static string[] ParseNames(ReadOnlySpan<byte> list)
    {
        var count = 0;
        foreach (var part in list.Split((byte)0))
        {
            count += list[part].IsEmpty ? 0 : 1;
        }

        if (count == 0)
        {
            return [];
        }

        var names = new string[count];
        var next = 0;
        foreach (var part in list.Split((byte)0))
        {
            if (!list[part].IsEmpty)
            {
                names[next++] = NameOf(list[part]);
            }
        }

        return names;
    }

    // The names uppers carry most (overlayfs' own, file capabilities, SELinux labels, ACLs), made
    // once: a print lists every entry's names, and a warm export of 1,000 small kernel-made uppers
    // made a new string for each of the ~5,000 it read.
    private static readonly (byte[] Utf8, string Name)[] CommonNames =
    [
        .. new[]
        {
            "trusted.overlay.impure", "trusted.overlay.origin", "trusted.overlay.uuid", "trusted.overlay.opaque",
            "trusted.overlay.redirect", "trusted.overlay.metacopy", "trusted.overlay.upper", "trusted.overlay.nlink",
            "trusted.overlay.protattr", "user.overlay.impure", "user.overlay.origin", "user.overlay.uuid",
            "user.overlay.opaque", "user.overlay.redirect", "user.overlay.metacopy", "security.capability",
            "security.selinux", "system.posix_acl_access", "system.posix_acl_default",
        }.Select(name => (Encoding.UTF8.GetBytes(name), name)),
    ];

    private static string NameOf(ReadOnlySpan<byte> bytes)
    {
        foreach (var (utf8, name) in CommonNames)
        {
            if (bytes.SequenceEqual(utf8))
            {
                return name;
            }
        }

        return Encoding.UTF8.GetString(bytes);
    }
}
