using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Fs;

/// <summary>
/// A path as one system call can take it. The kernel refuses a path of PATH_MAX (4096) bytes or
/// more whole (ENAMETOOLONG), though a tree may be deeper: GNU tar walks such trees relative to
/// each directory. Here the directory that holds the last name of a long path is opened piece by
/// piece (each piece shorter than PATH_MAX) and the call is made relative to it. A shorter path
/// passes through as it is (AT_FDCWD and the path), so the common case costs nothing.
/// </summary>
internal unsafe ref struct DeepPath
{
    public const int PathMax = 4096;

    private readonly bool _owned;

    private DeepPath(int dirFd, ReadOnlySpan<byte> name, bool owned)
    {
        DirFd = dirFd;
        Name = name;
        _owned = owned;
    }

    /// <summary>The directory the call is relative to: AT_FDCWD for a short path, -1 when opening it failed.</summary>
    public int DirFd { get; }

    /// <summary>What the call names relative to <see cref="DirFd"/>: the whole path when short, else its last name.</summary>
    public ReadOnlySpan<byte> Name { get; }

    public bool Failed => DirFd == -1;

    public static bool IsDeep(ReadOnlySpan<byte> path) => path.Length >= PathMax;

    /// <summary>
    /// Opens the directory that holds <paramref name="path"/>'s last name when the path is too long
    /// for one call; <see cref="Failed"/> with the errno when a piece cannot be opened.
    /// </summary>
    /// <param name="resolve">openat2 RESOLVE_* flags for every piece: the call's own rule for the inner components.</param>
    public static DeepPath Open(ReadOnlySpan<byte> path, ulong resolve, out int errno)
    {
        errno = 0;
        if (!IsDeep(path))
        {
            return new DeepPath(LibC.AT_FDCWD, path, owned: false);
        }

        var slash = path.LastIndexOf((byte)'/');
        var name = path[(slash + 1)..];
        var rest = path[..slash];
        var fd = LibC.AT_FDCWD;
        while (!rest.IsEmpty)
        {
            ReadOnlySpan<byte> piece;
            if (rest.Length < PathMax)
            {
                piece = rest;
                rest = [];
            }
            else
            {
                var cut = rest[..PathMax].LastIndexOf((byte)'/');
                if (cut <= 0)
                {
                    Close(fd);
                    errno = Errno.ENAMETOOLONG;
                    return new DeepPath(-1, name, owned: false);
                }

                piece = rest[..cut];
                rest = rest[(cut + 1)..].TrimStart((byte)'/');
            }

            var next = LibC.OpenAt2(fd, piece, (ulong)(LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_CLOEXEC), resolve);
            if (next < 0)
            {
                errno = Marshal.GetLastPInvokeError();
            }

            Close(fd);
            if (next < 0)
            {
                return new DeepPath(-1, name, owned: false);
            }

            fd = (int)next;
        }

        return new DeepPath(fd, name, owned: true);
    }

    /// <summary>
    /// The path for the calls that have no *at form (the l*xattr family): the path itself when
    /// short, else the same file through this process's descriptor of its directory,
    /// /proc/self/fd/N/NAME, which the kernel resolves in a few components.
    /// </summary>
    public readonly ReadOnlySpan<byte> PathForCall =>
        DirFd == LibC.AT_FDCWD
            ? Name
            : (byte[])[.. Encoding.ASCII.GetBytes("/proc/self/fd/" + DirFd.ToString(CultureInfo.InvariantCulture) + "/"), .. Name];

    public readonly void Dispose()
    {
        if (_owned)
        {
            Close(DirFd);
        }
    }

    private static void Close(int fd)
    {
        if (fd >= 0)
        {
            LibC.Close(fd);
        }
    }
}
