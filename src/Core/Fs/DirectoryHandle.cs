using System.Runtime.InteropServices;
using System.Text;
using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Fs;

/// <summary>
/// A directory held open (O_PATH) so that a call on a file in it names the file by its one
/// component instead of a path the kernel walks from the root again: a warm --cache export opens,
/// links and marks some ten blobs and records a snapshot under paths five to eight directories
/// deep, and the dentry lookups of those walks were a tenth of its CPU (perf: __d_lookup_rcu
/// 7 % self). On this VM a C probe took linkat from 6.6 to 5.1 µs and open+close from 4.5 to 3.6 µs.
/// What it names is the directory as it was opened: one removed and made again meanwhile is not
/// followed (a layout's writer holds its lock; a cache's blobs directory is never removed).
/// </summary>
public sealed class DirectoryHandle : SafeHandle
{
    private DirectoryHandle(string path, int descriptor)
        : base(-1, ownsHandle: true)
    {
        Path = path;
        SetHandle(descriptor);
    }

    /// <summary>The directory's path, for messages.</summary>
    public string Path { get; }

    public override bool IsInvalid => handle < 0;

    /// <summary>Opens <paramref name="path"/>; null when it cannot be (not there yet, not a directory): the caller goes by path.</summary>
    public static unsafe DirectoryHandle? TryOpen(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = CString.FitsStack(path) ? stackalloc byte[CString.StackBytes] : CString.Array(path);
        CString.Encode(path, bytes);
        int fd;
        fixed (byte* p = bytes)
        {
            fd = LibC.OpenAt(LibC.AT_FDCWD, p, LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
        }

        return fd < 0 ? null : new DirectoryHandle(path, fd);
    }

    /// <summary>
    /// The handle kept in <paramref name="kept"/>, opened now when there is none yet (of openers that
    /// race, one keeps its handle and the others close theirs); null while <paramref name="path"/>
    /// cannot be opened, to be tried again at the next call.
    /// </summary>
    public static DirectoryHandle? Kept(ref DirectoryHandle? kept, string path)
    {
        if (Volatile.Read(ref kept) is { } open)
        {
            return open;
        }

        if (TryOpen(path) is not { } opened)
        {
            return null;
        }

        var first = Interlocked.CompareExchange(ref kept, opened, null);
        if (first is null)
        {
            return opened;
        }

        opened.Dispose();
        return first;
    }

    /// <summary>
    /// Opens the file <paramref name="name"/> in <paramref name="directory"/> for reading: by name
    /// through the handle kept in <paramref name="kept"/> (<see cref="Kept"/>), else, while the
    /// directory cannot be opened, by its path (<see cref="PlainRead.TryOpen"/>).
    /// </summary>
    /// <exception cref="ArgumentException">Not a single name.</exception>
    public static PlainFile? TryOpenFileIn(ref DirectoryHandle? kept, string directory, ReadOnlySpan<char> name, out int errno) =>
        Kept(ref kept, directory) is { } open ? open.TryOpenFile(name, out errno) : PlainRead.TryOpen(System.IO.Path.Join(directory, name), out errno);

    /// <summary>
    /// Opens the file <paramref name="name"/> in this directory for reading, as <see cref="PlainRead.TryOpen"/>
    /// opens a path, but without moving its atime where the file is ours (O_NOATIME; a file of
    /// another owner is opened without it). The blobs, records and trees a warm --cache export
    /// reads were each linked or written since their last read, so under relatime every read set
    /// their atime: an inode dirtied per file (3 % of such an export's CPU) and written back by the
    /// next sync, for a time nothing here looks at (the cache trims by mtime).
    /// </summary>
    /// <exception cref="ArgumentException">Not a single name.</exception>
    public unsafe PlainFile? TryOpenFile(ReadOnlySpan<char> name, out int errno)
    {
        Span<byte> bytes = stackalloc byte[NameBytes];
        Encode(name, bytes);
        var added = false;
        try
        {
            DangerousAddRef(ref added);
            int fd;
            fixed (byte* n = bytes)
            {
                fd = LibC.OpenAt((int)handle, n, LibC.O_RDONLY | LibC.O_CLOEXEC | LibC.O_NOATIME, 0);
                if (fd < 0 && Marshal.GetLastPInvokeError() == Errno.EPERM)
                {
                    fd = LibC.OpenAt((int)handle, n, LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
                }
            }

            errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
            return fd < 0 ? null : new PlainFile(fd);
        }
        finally
        {
            if (added)
            {
                DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Writes <paramref name="content"/> as the file <paramref name="name"/> here, created or
    /// truncated in place (openat O_TRUNC, pwrite, close; no temporary name, no rename, no fsync):
    /// not atomic, so only for a file whose reader checks it whole (a checksum) and takes a bad one
    /// as absent. Created with mode 0666 less the umask, as the cache's other files are. False with
    /// the errno when it cannot be written.
    /// </summary>
    /// <exception cref="ArgumentException">Not a single name.</exception>
    public unsafe bool TryReplaceFile(ReadOnlySpan<char> name, ReadOnlySpan<byte> content, out int errno)
    {
        Span<byte> bytes = stackalloc byte[NameBytes];
        Encode(name, bytes);
        var added = false;
        try
        {
            DangerousAddRef(ref added);
            int fd;
            fixed (byte* n = bytes)
            {
                fd = LibC.OpenAt((int)handle, n, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_TRUNC | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0b110_110_110);
            }

            if (fd < 0)
            {
                errno = Marshal.GetLastPInvokeError();
                return false;
            }

            using var file = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
            try
            {
                RandomAccess.Write(file, content, 0);
            }
            catch (IOException e)
            {
                // .NET gives the errno as the HResult.
                errno = e.HResult;
                return false;
            }

            errno = 0;
            return true;
        }
        finally
        {
            if (added)
            {
                DangerousRelease();
            }
        }
    }

    /// <summary>Gives the file <paramref name="name"/> here the same name in <paramref name="target"/> (link(2)); false with the errno when it cannot.</summary>
    /// <exception cref="ArgumentException">Not a single name.</exception>
    public unsafe bool TryLink(ReadOnlySpan<char> name, DirectoryHandle target, out int errno)
    {
        ArgumentNullException.ThrowIfNull(target);
        Span<byte> bytes = stackalloc byte[NameBytes];
        Encode(name, bytes);
        bool addedHere = false, addedThere = false;
        try
        {
            DangerousAddRef(ref addedHere);
            target.DangerousAddRef(ref addedThere);
            bool linked;
            fixed (byte* n = bytes)
            {
                linked = LibC.LinkAt((int)handle, n, (int)target.handle, n, 0) == 0;
            }

            errno = linked ? 0 : Marshal.GetLastPInvokeError();
            return linked;
        }
        finally
        {
            if (addedThere)
            {
                target.DangerousRelease();
            }

            if (addedHere)
            {
                DangerousRelease();
            }
        }
    }

    /// <summary>Sets the file <paramref name="name"/>'s times (utimensat(2) relative to this directory); false when it cannot.</summary>
    internal unsafe bool TrySetTimes(ReadOnlySpan<char> name, LibC.Timespec* times)
    {
        Span<byte> bytes = stackalloc byte[NameBytes];
        Encode(name, bytes);
        var added = false;
        try
        {
            DangerousAddRef(ref added);
            fixed (byte* n = bytes)
            {
                return LibC.UtimensAt((int)handle, n, times, 0) == 0;
            }
        }
        finally
        {
            if (added)
            {
                DangerousRelease();
            }
        }
    }

    protected override bool ReleaseHandle() => LibC.Close((int)handle) == 0;

    // A file name's most bytes (NAME_MAX) and its NUL.
    private const int NameBytes = 256;

    private static void Encode(ReadOnlySpan<char> name, Span<byte> bytes)
    {
        if (name.IsEmpty || name is "." or ".." || name.ContainsAny('/', '\0') || Encoding.UTF8.GetByteCount(name) >= NameBytes)
        {
            throw new ArgumentException($"\"{name}\" is not a file name in a directory", nameof(name));
        }

        bytes[Encoding.UTF8.GetBytes(name, bytes)] = 0;
    }
}
