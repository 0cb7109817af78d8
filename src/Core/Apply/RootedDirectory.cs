using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Apply;

/// <summary>
/// The destination of a layer, held open as a directory descriptor, and the resolution of paths
/// inside it. containerd resolves an entry's parent with continuity's fs.RootPath: symlinks are
/// followed, but ".." and absolute targets are clamped to the root. openat2 with RESOLVE_IN_ROOT
/// is the kernel doing exactly that, atomically, so a symlink in the tree (planted by the layer
/// or already there) can never lead a write outside the root.
/// </summary>
internal sealed unsafe class RootedDirectory : IDisposable
{
    /// <summary>The kernel's own bound on symlinks in one lookup (MAXSYMLINKS).</summary>
    private const int MaxSymlinks = 40;

    /// <summary>The longest path one lookup takes: PATH_MAX (4096) counts the terminating NUL.</summary>
    private const int MaxLookupBytes = 4095;

    private readonly SafeFileHandle _root;

    private RootedDirectory(SafeFileHandle root) => _root = root;

    public static RootedDirectory Open(string destination)
    {
        int fd;
        using (var c = new CPath(Encoding.UTF8.GetBytes(destination)))
        {
            fd = LibC.OpenAt(LibC.AT_FDCWD, c.Pointer, LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
        }

        if (fd < 0)
        {
            throw new FsException("open destination directory", destination, Marshal.GetLastPInvokeError());
        }

        return new RootedDirectory(new SafeFileHandle(fd, ownsHandle: true));
    }

    public void Dispose() => _root.Dispose();

    /// <summary>
    /// An O_PATH descriptor of the directory at a relative path ("" is the root), following
    /// symlinks inside the root; 0 and the handle, or the errno (ENOENT, ENOTDIR, ELOOP...).
    /// </summary>
    /// <remarks>
    /// The kernel refuses a path of PATH_MAX (4096) bytes or more with ENAMETOOLONG, but a tar name
    /// may be longer; GNU tar extracts such names by walking them with *at calls. A long path is
    /// looked up in pieces of whole components: the first inside the root, each next one beneath
    /// the directory the previous reached (RESOLVE_BENEATH), so a symlink there that would climb
    /// above that directory is refused (EXDEV) rather than followed; nothing leaves the root.
    /// </remarks>
    public int TryResolveDirectory(ReadOnlySpan<byte> relative, out SafeFileHandle? directory)
    {
        var rest = relative.IsEmpty ? "."u8 : relative;
        var resolve = LibC.RESOLVE_IN_ROOT;
        SafeFileHandle? current = null;
        directory = null;
        while (true)
        {
            var take = rest.Length < MaxLookupBytes ? rest.Length : rest[..MaxLookupBytes].LastIndexOf((byte)'/');
            if (take <= 0)
            {
                current?.Dispose();
                return Errno.ENAMETOOLONG;
            }

            var errno = TryOpenDirectory(current ?? _root, rest[..take], resolve | LibC.RESOLVE_NO_MAGICLINKS, out var next);
            current?.Dispose();
            current = next;
            if (current is null)
            {
                return errno;
            }

            rest = rest[take..].TrimStart((byte)'/');
            if (rest.IsEmpty)
            {
                directory = current;
                return 0;
            }

            resolve = LibC.RESOLVE_BENEATH;
        }
    }

    /// <summary>One openat2 of a directory relative to <paramref name="from"/>; 0 and the handle, or the errno.</summary>
    private static int TryOpenDirectory(SafeFileHandle from, ReadOnlySpan<byte> path, ulong resolve, out SafeFileHandle? directory)
    {
        directory = null;
        for (var attempt = 0; ; attempt++)
        {
            var fd = LibC.OpenAt2(AtCalls.Fd(from), path, (ulong)(LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_CLOEXEC), resolve);
            if (fd >= 0)
            {
                directory = new SafeFileHandle((nint)fd, ownsHandle: true);
                return 0;
            }

            // EAGAIN: a rename elsewhere raced the ".." checks of RESOLVE_IN_ROOT; the kernel
            // asks the caller to retry (openat2(2)).
            var errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.EAGAIN || attempt == 16)
            {
                return errno == Errno.ENOSYS
                    ? throw new FsException("openat2 is not available (Linux 5.6 or later is needed to confine a layer to its root)")
                    : errno;
            }
        }
    }

    public SafeFileHandle ResolveDirectory(ReadOnlySpan<byte> relative)
    {
        var errno = TryResolveDirectory(relative, out var directory);
        return directory ?? throw new FsException("resolve directory", PathBytes.Display(relative), errno);
    }

    /// <summary>
    /// containerd's mkparent: the directory at a clean relative path, with every missing directory
    /// on the way created with mode 0755. A missing component that is a dangling symlink is
    /// created where the symlink points (still clamped to the root), as RootPath resolves it.
    /// </summary>
    public SafeFileHandle ResolveOrCreateDirectory(byte[] relative)
    {
        var components = LayerPath.Components(relative);
        var symlinks = 0;
        SafeFileHandle? current = null;
        try
        {
            for (var i = 0; i < components.Count; i++)
            {
                var prefix = LayerPath.Join(components, i + 1);
                var errno = TryResolveDirectory(prefix, out var next);
                if (next is not null)
                {
                    current?.Dispose();
                    current = next;
                    continue;
                }

                if (errno != Errno.ENOENT)
                {
                    throw new FsException("resolve directory", PathBytes.Display(prefix), errno);
                }

                var parentFd = current is null ? AtCalls.Fd(_root) : AtCalls.Fd(current);
                if (TryMakeParent(parentFd, components[i], out var redirect))
                {
                    i--;
                    continue;
                }

                if (++symlinks > MaxSymlinks)
                {
                    throw new FsException("resolve directory", PathBytes.Display(prefix), Errno.ELOOP);
                }

                // Walk the symlink's target instead: absolute from the root, relative from the
                // directory holding the link, then the rest of the original path.
                var rest = components.Skip(i + 1);
                var head = redirect.Length > 0 && redirect[0] == (byte)'/' ? [] : components.Take(i);
                components = [.. head, .. LayerPath.Components(redirect), .. rest];
                current?.Dispose();
                current = null;
                i = -1;
            }

            var result = current ?? ResolveDirectory(""u8);
            current = null;
            return result;
        }
        finally
        {
            current?.Dispose();
        }
    }

    /// <summary>
    /// mkdir name 0755 (chmod'ed so the umask does not matter). True when the directory now exists;
    /// false with the link's target when the name is a symlink that could not be resolved.
    /// </summary>
    private static bool TryMakeParent(int parentFd, byte[] name, out byte[] symlinkTarget)
    {
        symlinkTarget = [];
        int rc;
        using (var c = new CPath(name))
        {
            rc = LibC.MkdirAt(parentFd, c.Pointer, 0x1ED);
            if (rc == 0)
            {
                AtCalls.Check(LibC.FchmodAt(parentFd, c.Pointer, 0x1ED, 0), "chmod", name);
                return true;
            }
        }

        var errno = Marshal.GetLastPInvokeError();
        if (errno != Errno.EEXIST)
        {
            throw new FsException("mkdir", PathBytes.Display(name), errno);
        }

        // EEXIST after ENOENT: either another process made it meanwhile (just retry), or the
        // name is a dangling symlink, which RootPath would follow lexically.
        if (AtCalls.LstatOrNull(parentFd, name) is not { Kind: FileKind.Symlink })
        {
            return true;
        }

        symlinkTarget = ReadLink(parentFd, name);
        return false;
    }

    private static byte[] ReadLink(int dirFd, byte[] name)
    {
        var buffer = new byte[4096];
        nint n;
        using (var c = new CPath(name))
        {
            fixed (byte* b = buffer)
            {
                n = LibC.ReadLinkAt(dirFd, c.Pointer, b, (nuint)buffer.Length);
            }
        }

        return n >= 0 ? buffer[..(int)n] : throw new FsException("readlink", PathBytes.Display(name), Marshal.GetLastPInvokeError());
    }
}
