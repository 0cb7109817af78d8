using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Native;
using ParallelDiff.Core.Tests.Support;

namespace ParallelDiff.Core.Tests.Vectors;

/// <summary>
/// Recreates a vector's layers from snapshot.json, exactly: types (whiteouts as char 0/0, sockets
/// by mknod), hard links, owners, modes with setuid/setgid/sticky, xattrs (trusted.* too), sparse
/// holes and mtimes to the nanosecond. Needs root. Names stay raw bytes throughout.
/// </summary>
public static class VectorMaterializer
{
    private const uint S_IFIFO = 0x1000;
    private const uint S_IFCHR = 0x2000;
    private const uint S_IFBLK = 0x6000;
    private const uint S_IFSOCK = 0xC000;

    /// <summary>Recreates tests/vectors/NAME in destDir (created if missing; it must be empty).</summary>
    public static MaterializedVector Materialize(string vectorName, string destDir) =>
        Materialize(VectorSnapshot.Load(vectorName), destDir);

    public static MaterializedVector Materialize(VectorSnapshot snapshot, string destDir)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var dest = Path.GetFullPath(destDir);

        // The layer paths go into overlay mount options, where ':' and ',' are separators.
        if (dest.Contains(':', StringComparison.Ordinal) || dest.Contains(',', StringComparison.Ordinal))
        {
            throw new ArgumentException($"{dest}: cannot contain ':' or ','", nameof(destDir));
        }

        Directory.CreateDirectory(dest);
        if (Directory.EnumerateFileSystemEntries(dest).Any())
        {
            throw new IOException($"{dest}: not empty");
        }

        var lowers = new List<string>();
        for (var i = 0; i < snapshot.Lowers.Count; i++)
        {
            var lower = Path.Combine(dest, "lower" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            CreateTree(lower, snapshot.Lowers[i].Entries);
            lowers.Add(lower);
        }

        var upper = Path.Combine(dest, "upper");
        CreateTree(upper, snapshot.Upper.Entries);
        return new MaterializedVector(snapshot, lowers, upper);
    }

    /// <summary>
    /// Creates root and every entry under it. Per entry: create, lchown (it clears setuid/setgid and
    /// capabilities, so it goes first), chmod (not symlinks), xattrs. Then, once every entry exists,
    /// the mtimes children before parents: creating a name changes its directory's mtime, setting a
    /// time does not. Creation modes are 0600/0700 and chmod sets the real ones, so the process umask
    /// (shared by tests running in parallel) is left alone.
    /// </summary>
    public static void CreateTree(string root, IReadOnlyList<VectorEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0 || !entries[0].IsRoot || entries[0].Type != TreeEntryType.Directory)
        {
            throw new FormatException("a layer's first entry must be its root directory \".\"");
        }

        Directory.CreateDirectory(root);
        var rootPath = PathBytes.FromString(Path.GetFullPath(root));
        var times = new List<(byte[] Path, Int128 MtimeNs)>();
        foreach (var entry in entries)
        {
            var path = entry.IsRoot ? rootPath : PathBytes.Join(rootPath, entry.Path);
            if (entry.Type == TreeEntryType.Hardlink)
            {
                // Another name of an inode made earlier: it shares that inode's metadata and time.
                Link(PathBytes.Join(rootPath, entry.Target!), path);
                continue;
            }

            if (!entry.IsRoot)
            {
                Create(path, entry);
            }

            Chown(path, entry.Uid, entry.Gid);
            if (entry.Type != TreeEntryType.Symlink)
            {
                Chmod(path, entry.Mode);
            }

            foreach (var (name, value) in entry.Xattrs)
            {
                SetXattr(path, name, value);
            }

            times.Add((path, entry.MtimeNs));
        }

        for (var i = times.Count - 1; i >= 0; i--)
        {
            SetTimes(times[i].Path, times[i].MtimeNs);
        }
    }

    private static unsafe void Create(byte[] path, VectorEntry entry)
    {
        using var c = new CPath(path);
        var rdev = entry.Rdev is { } d ? LibC.MakeDev(d.Major, d.Minor) : 0;
        var rc = entry.Type switch
        {
            TreeEntryType.Directory => LibC.MkdirAt(LibC.AT_FDCWD, c.Pointer, 0x1C0),
            TreeEntryType.File => WriteFile(path, entry),
            TreeEntryType.Symlink => Symlink(entry.Target ?? throw new FormatException($"{entry.DisplayPath}: symlink without target"), c.Pointer),
            TreeEntryType.Whiteout => LibC.MknodAt(LibC.AT_FDCWD, c.Pointer, S_IFCHR | 0x180, 0),
            TreeEntryType.CharDevice => LibC.MknodAt(LibC.AT_FDCWD, c.Pointer, S_IFCHR | 0x180, rdev),
            TreeEntryType.BlockDevice => LibC.MknodAt(LibC.AT_FDCWD, c.Pointer, S_IFBLK | 0x180, rdev),
            TreeEntryType.Fifo => LibC.MknodAt(LibC.AT_FDCWD, c.Pointer, S_IFIFO | 0x180, 0),

            // A socket node needs no listening process: mknod makes the same inode bind() would.
            TreeEntryType.Socket => LibC.MknodAt(LibC.AT_FDCWD, c.Pointer, S_IFSOCK | 0x180, 0),
            _ => throw new FormatException($"{entry.DisplayPath}: cannot create a {entry.Type}"),
        };
        Check(rc, "create " + entry.Type.ToJsonName(), path);
    }

    private static unsafe int Symlink(byte[] target, byte* path)
    {
        using var t = new CPath(target);
        return LibC.SymlinkAt(t.Pointer, LibC.AT_FDCWD, path);
    }

    /// <summary>Writes a regular file: dense content sequentially, sparse content as ftruncate plus pwrite of each extent.</summary>
    private static unsafe int WriteFile(byte[] path, VectorEntry entry)
    {
        var content = entry.Content ?? throw new FormatException($"{entry.DisplayPath}: file without content");
        int fd;
        using (var c = new CPath(path))
        {
            fd = LibC.OpenAt(LibC.AT_FDCWD, c.Pointer, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0x180);
        }

        Check(fd < 0 ? -1 : 0, "open", path);
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        if (content.IsSparse)
        {
            Check(LibC.Ftruncate(fd, content.Size), "ftruncate", path);
            foreach (var extent in content.Extents)
            {
                RandomAccess.Write(handle, extent.Data, extent.Offset);
            }
        }
        else
        {
            RandomAccess.Write(handle, content.ToBytes(), 0);
        }

        return 0;
    }

    private static unsafe void Link(byte[] existing, byte[] path)
    {
        using var from = new CPath(existing);
        using var to = new CPath(path);

        // flags 0: link the name itself, even when it is a symlink.
        Check(LibC.LinkAt(LibC.AT_FDCWD, from.Pointer, LibC.AT_FDCWD, to.Pointer, 0), "link", path);
    }

    private static unsafe void Chown(byte[] path, long uid, long gid)
    {
        using var c = new CPath(path);
        Check(LibC.FchownAt(LibC.AT_FDCWD, c.Pointer, checked((uint)uid), checked((uint)gid), LibC.AT_SYMLINK_NOFOLLOW), "lchown", path);
    }

    private static unsafe void Chmod(byte[] path, int mode)
    {
        using var c = new CPath(path);
        Check(LibC.FchmodAt(LibC.AT_FDCWD, c.Pointer, (uint)mode, 0), "chmod", path);
    }

    private static unsafe void SetXattr(byte[] path, string name, byte[] value)
    {
        using var c = new CPath(path);
        using var n = new CPath(Encoding.ASCII.GetBytes(name));
        fixed (byte* v = value)
        {
            Check(LibC.LSetXattr(c.Pointer, n.Pointer, v, (nuint)value.Length, 0), "lsetxattr " + name, path);
        }
    }

    /// <summary>atime = mtime = ns, split with floor semantics so that -1.5 s is -2 s + 0.5e9 ns.</summary>
    private static unsafe void SetTimes(byte[] path, Int128 ns)
    {
        var (seconds, rest) = Int128.DivRem(ns, 1_000_000_000);
        if (rest < 0)
        {
            seconds--;
            rest += 1_000_000_000;
        }

        var times = stackalloc LibC.Timespec[2];
        times[0] = new LibC.Timespec { Seconds = checked((long)seconds), Nanoseconds = (long)rest };
        times[1] = times[0];
        using var c = new CPath(path);
        Check(LibC.UtimensAt(LibC.AT_FDCWD, c.Pointer, times, LibC.AT_SYMLINK_NOFOLLOW), "utimensat", path);
    }

    private static void Check(int rc, string operation, byte[] path)
    {
        if (rc != 0)
        {
            throw new FsException(operation, PathBytes.Display(path), Marshal.GetLastPInvokeError());
        }
    }
}
