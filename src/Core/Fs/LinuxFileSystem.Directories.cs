using System.Buffers;
using System.Runtime.InteropServices;
using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Fs;

public sealed unsafe partial class LinuxFileSystem
{
    private const int DirentBufferSize = 32 * 1024;

    /// <summary>
    /// Pooled: a fresh 32 KiB array per directory was zeroed by the allocator every time, 8,000
    /// times in a 100,000-file upper, and a tenth of a one-file diff's work.
    /// </summary>
    private static byte[] RentDirentBuffer() => ArrayPool<byte>.Shared.Rent(DirentBufferSize);

    public List<byte[]> ReadDirectory(ReadOnlySpan<byte> path)
    {
        var fd = OpenDirectory(path);
        try
        {
            var names = new List<byte[]>();
            var buffer = RentDirentBuffer();
            try
            {
                fixed (byte* b = buffer)
                {
                    for (int n; (n = GetDents(fd, b, DirentBufferSize, path)) > 0;)
                    {
                        for (var off = 0; NextName(b, n, ref off, out var name);)
                        {
                            names.Add(new ReadOnlySpan<byte>(name, Length(name)).ToArray());
                        }
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            return names;
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    /// <summary>
    /// What GNU tar does: one descriptor for the directory, then statx (and listxattrat) of each
    /// bare name relative to it. By absolute path the kernel walked every component of a deep tree
    /// again for each entry (__d_lookup_rcu, inode_permission: a tenth of a 100,000-file diff).
    /// </summary>
    public List<DirEntry> ListDirectory(ReadOnlySpan<byte> path, bool withXattrNames) => ListDirectory(path, withXattrNames, shortReadEnds: false, []);

    /// <inheritdoc cref="ListDirectory(ReadOnlySpan{byte}, bool)"/>
    /// <param name="shortReadEnds">
    /// The directory's file system ends a listing at its first short read (<see cref="ShortReads.End"/>):
    /// a read that left room for another record is the last, not followed by the one that returns nothing.
    /// </param>
    /// <param name="entries">Where the entries are added (a walk's reused list); returned.</param>
    public List<DirEntry> ListDirectory(ReadOnlySpan<byte> path, bool withXattrNames, bool shortReadEnds, List<DirEntry> entries)
    {
        var fd = OpenDirectory(path);
        try
        {
            return ListDirectoryAt(fd, path, withXattrNames, shortReadEnds, entries);
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    /// <inheritdoc cref="ListDirectory(ReadOnlySpan{byte}, bool, bool, List{DirEntry})"/>
    /// <param name="fd">
    /// The directory, opened for reading (O_RDONLY | O_DIRECTORY) and not yet read from, by a caller
    /// that opened it for another reason first (its canonical path and status): it stays open.
    /// </param>
    /// <param name="path">The directory's canonical path, for messages and the xattr fallback.</param>
    public List<DirEntry> ListDirectoryAt(int fd, ReadOnlySpan<byte> path, bool withXattrNames, bool shortReadEnds, List<DirEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var buffer = RentDirentBuffer();
        try
        {
            fixed (byte* b = buffer)
            {
                for (int n; (n = GetDents(fd, b, DirentBufferSize, path)) > 0;)
                {
                    for (var off = 0; NextName(b, n, ref off, out var cName);)
                    {
                        var name = new ReadOnlySpan<byte>(cName, Length(cName)).ToArray();
                        LibC.Statx sx;
                        if (LibC.StatxCall(fd, cName, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, &sx) != 0)
                        {
                            // A name that vanished between readdir and lstat: the tree is changing under us.
                            throw Fail("lstat", PathBytes.Join(path, name));
                        }

                        var xattrs = withXattrNames ? ListXattrsAt(fd, cName, path, name) : null;
                        entries.Add(new DirEntry(name, FromStatx(in sx), xattrs));
                    }

                    if (shortReadEnds && n <= DirentBufferSize - ShortReads.LongestRecord)
                    {
                        break;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return entries;
    }

    /// <summary>
    /// Opens <paramref name="name"/>, a directory just listed in the one open as <paramref name="dirFd"/>,
    /// for reading its entries (for <see cref="ListDirectoryAt"/>): the kernel looks up one name
    /// rather than every component of the full path again (a bulk export's uppers lie nine deep).
    /// A link put in its place since it was listed is refused (RESOLVE_NO_SYMLINKS: ELOOP), as
    /// <see cref="OpenDirectory"/> refuses one anywhere in a path. The caller closes it.
    /// </summary>
    /// <param name="path">The directory's full path, for the error.</param>
    public static int OpenDirectoryAt(int dirFd, ReadOnlySpan<byte> name, ReadOnlySpan<byte> path)
    {
        const ulong resolve = LibC.RESOLVE_NO_SYMLINKS | LibC.RESOLVE_NO_MAGICLINKS | LibC.RESOLVE_BENEATH;
        var fd = LibC.OpenAt2(dirFd, name, (ulong)(LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC), resolve);
        return fd >= 0 ? (int)fd : throw Fail("open directory", path);
    }

    /// <summary>
    /// Opens a directory for reading its entries, following no symbolic link in any component
    /// (openat2 RESOLVE_NO_SYMLINKS: ELOOP; O_NOFOLLOW guarded only the last one, and with
    /// O_DIRECTORY said ENOTDIR), so a tree changed under us cannot make a listing, or the names
    /// read relative to it, leave the tree. The caller closes it.
    /// </summary>
    public static int OpenDirectory(ReadOnlySpan<byte> path)
    {
        const ulong resolve = LibC.RESOLVE_NO_SYMLINKS | LibC.RESOLVE_NO_MAGICLINKS;
        using var deep = DeepPath.Open(path, resolve, out var errno);
        if (deep.Failed)
        {
            throw new FsException("open directory", PathBytes.Display(path), errno);
        }

        var fd = LibC.OpenAt2(deep.DirFd, deep.Name, (ulong)(LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC), resolve);
        return fd >= 0 ? (int)fd : throw Fail("open directory", path);
    }

    /// <summary>One getdents64 call: the bytes of records it filled, 0 at the end.</summary>
    private static int GetDents(int fd, byte* buffer, int size, ReadOnlySpan<byte> path)
    {
        var n = LibC.GetDents64(fd, buffer, (nuint)size);
        return n >= 0 ? (int)n : throw Fail("readdir", path);
    }

    /// <summary>
    /// The next name in a getdents64 buffer, skipping "." and "..". struct linux_dirent64 is
    /// d_ino(8) d_off(8) d_reclen(2) d_type(1) d_name[], the name NUL-terminated within d_reclen,
    /// so it can be passed to a system call where it lies.
    /// </summary>
    private static bool NextName(byte* buffer, int filled, ref int offset, out byte* name)
    {
        while (offset < filled)
        {
            var record = buffer + offset;
            offset += *(ushort*)(record + 16);
            name = record + 19;
            if (!(name[0] == (byte)'.' && (name[1] == 0 || (name[1] == (byte)'.' && name[2] == 0))))
            {
                return true;
            }
        }

        name = null;
        return false;
    }

    private static int Length(byte* cName) => MemoryMarshal.CreateReadOnlySpanFromNullTerminated(cName).Length;
}
