using System.Buffers;
using System.Security.Cryptography;
using ParallelDiff.Core.Fs;

namespace ParallelDiff.Core.Export;

/// <summary>
/// A digest of a directory tree's metadata, never of its data: every entry's name and its
/// <see cref="EntryStatFields">stat fields</see> (type, mode, owner, size, inode, device, link count,
/// rdev, mtime and ctime to the nanosecond, xattr names), in name order. It names a tree "as it was"
/// without reading a byte of its files. What it relies on: the kernel moves ctime on every write,
/// truncate, chmod, chown, xattr change, link and rename, and no user can set it back; a file
/// replaced by another gets another inode or a new ctime. A tree copied elsewhere prints differently
/// (new inodes), which only costs a re-export. The --cache key prints an upper (and both trees of a
/// --from/--to pair) this way; a lower is not printed whole, only at the paths an export consulted
/// (<see cref="ConsultedLowers"/>).
/// </summary>
public static partial class TreeStatPrint
{
    // The subtree of every directory that holds directories is walked as a stretch of its own, on
    // the thread pool, and hashed in order after: a warm export of many-small spent two thirds of
    // its second on this walk, on one core of two. At every depth, since a tree can hold nearly all
    // its entries under one path (many-small: 103,000 of 108,000 under opt/old); a stretch costs a
    // few microseconds. Only once the print has listed this many entries: a bulk export's small
    // uppers (7 entries) are printed many at once already, and forked they paid for a queue, a task
    // and two buffers per directory for nothing.
    private const int ForkAfter = 256;

    // A subdirectory walked on the same thread is opened relative to its parent, whose descriptor
    // stays open meanwhile: one name looked up instead of the whole path (three opens of a
    // bulk export's small uppers, nine components deep). Only this deep, so that a very deep tree
    // does not hold a descriptor per level; below it, by path as before.
    private const int RelativeOpensDeep = 16;

    /// <summary>"sha256:…" of the tree under <paramref name="root"/>, the root's own status included.</summary>
    /// <exception cref="FsException">An entry cannot be listed or vanished during the walk.</exception>
    public static string Of(IFileSystem fs, string root, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        return Of(fs, PathBytes.FromString(root), cancellationToken);
    }

    /// <inheritdoc cref="Of(IFileSystem, string, CancellationToken)"/>
    public static string Of(IFileSystem fs, byte[] root, CancellationToken cancellationToken = default) => Of(fs, root, ForkAfter, out _, cancellationToken);

    /// <inheritdoc cref="Of(IFileSystem, string, CancellationToken)"/>
    /// <param name="entries">How many entries the tree holds under its root: what printing it again would cost.</param>
    public static string Of(IFileSystem fs, byte[] root, out int entries, CancellationToken cancellationToken = default) => Of(fs, root, ForkAfter, out entries, cancellationToken);

    /// <inheritdoc cref="Of(IFileSystem, string, CancellationToken)"/>
    /// <param name="forkAfter">How many entries are listed before subtrees are walked by other threads (<see cref="int.MaxValue"/>: never); the print is the same.</param>
    internal static string Of(IFileSystem fs, byte[] root, int forkAfter, CancellationToken cancellationToken = default) => Of(fs, root, forkAfter, out _, cancellationToken);

    private static string Of(IFileSystem fs, byte[] root, int forkAfter, out int entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(root);
        if (!fs.TryLstat(root, out var rootStatus, out var errno))
        {
            throw new FsException("lstat", PathBytes.Display(root), errno);
        }

        return Of(fs, root, rootStatus, forkAfter, cancellationToken, out entries);
    }

    /// <inheritdoc cref="Of(IFileSystem, string, CancellationToken)"/>
    /// <param name="rootStatus">The root's lstat, just taken by the caller (who resolved the root).</param>
    /// <param name="shortReadsEnd">What <see cref="ShortReads.End"/> says of the root's file system, when the caller knows; null asks it.</param>
    /// <param name="rootDirectory">
    /// The root opened for reading and not yet read from (<see cref="Snapshots.SnapshotPaths.OpenCanonicalDirectory"/>),
    /// listed through that descriptor rather than opened again; -1 opens it. The caller closes it.
    /// </param>
    public static string Of(IFileSystem fs, byte[] root, in FileStatus rootStatus, bool? shortReadsEnd = null, int rootDirectory = -1, CancellationToken cancellationToken = default) =>
        Of(fs, root, rootStatus, ForkAfter, cancellationToken, out _, shortReadsEnd, rootDirectory);

    /// <inheritdoc cref="Of(IFileSystem, byte[], in FileStatus, bool?, int, CancellationToken)"/>
    /// <param name="entries">How many entries the tree holds under its root: what printing it again would cost.</param>
    public static string Of(IFileSystem fs, byte[] root, in FileStatus rootStatus, out int entries, bool? shortReadsEnd = null, int rootDirectory = -1, CancellationToken cancellationToken = default) =>
        Of(fs, root, rootStatus, ForkAfter, cancellationToken, out entries, shortReadsEnd, rootDirectory);

    /// <inheritdoc cref="Of(IFileSystem, byte[], in FileStatus, out int, bool?, int, CancellationToken)"/>
    /// <param name="printed">The entries the walk saw, for printing the tree again by <see cref="OfKnown"/>; null for a tree of more than <see cref="PrintedTree.MostEntries"/>.</param>
    public static string Of(IFileSystem fs, byte[] root, in FileStatus rootStatus, out int entries, out PrintedTree? printed, bool? shortReadsEnd = null, int rootDirectory = -1, CancellationToken cancellationToken = default)
    {
        var seen = new List<PrintedEntry>();
        var print = Of(fs, root, rootStatus, ForkAfter, cancellationToken, out entries, shortReadsEnd, rootDirectory, seen);
        // Fewer entries kept than printed: the walk grew past PrintedTree.MostEntries and stopped keeping them.
        printed = seen.Count == entries + 1 ? PrintedTree.Of(seen) : null;
        return print;
    }

    private static string Of(IFileSystem fs, byte[] root, in FileStatus rootStatus, int forkAfter, CancellationToken cancellationToken, out int entries, bool? shortReadsEnd = null, int rootDirectory = -1, List<PrintedEntry>? seen = null)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(root);

        // The walk's entries are kept only while it is small, and so on this thread alone: it forks
        // only past ForkAfter entries, and PrintedTree keeps no more than that.
        seen?.Add(PrintedEntry.Of([], rootStatus));
        var records = new ForkedRecords();
        // Through the root's descriptor when the caller opened it: the same inode, no path walked.
        Append(records.Current, [], rootStatus, rootDirectory >= 0 && fs is LinuxFileSystem ? LinuxFileSystem.ListXattrsOf(rootDirectory, root) : fs.ListXattrs(root));
        Listed? listed = null;
        if (rootStatus.IsDirectory)
        {
            // Only on the root's device: a directory mounted inside the tree may be another kind.
            var device = fs is LinuxFileSystem && (shortReadsEnd ?? ShortReads.End(root)) ? rootStatus.Device : (ulong?)null;
            listed = new Listed(forkAfter, device, seen);
            Walk(fs, records, root, [], listed, cancellationToken, opened: rootDirectory);
        }

        // Counted after the hash, which waits for every forked walk.
        var print = records.Sha256();
        entries = listed?.Count ?? 0;
        return print;
    }

    /// <param name="opened">The directory already open for reading (the root, by its resolver; a subdirectory, by its parent's walk), or -1; closed by whoever opened it.</param>
    /// <param name="depth">How many directories deep below the walk's start this one is.</param>
    private static void Walk(IFileSystem fs, ForkedRecords records, byte[] directory, byte[] relative, Listed listed, CancellationToken cancellationToken, ulong? device = null, int opened = -1, int depth = 0)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var linux = fs as LinuxFileSystem;
        var shortReadEnds = listed.ShortReadsEnd is { } same && (device ?? same) == same;
        var fd = linux is null || opened >= 0 ? opened : LinuxFileSystem.OpenDirectory(directory);
        try
        {
            var entries = linux is null ? fs.ListDirectory(directory, withXattrNames: true)
                : linux.ListDirectoryAt(fd, directory, withXattrNames: true, shortReadEnds, EntryLists.Rent());
            listed.Add(entries.Count);
            entries.Sort((a, b) => PathBytes.CompareNames(a.Name, b.Name));
            foreach (var entry in entries)
            {
                var path = PathBytes.Join(relative, entry.Name);
                Append(records.Current, path, entry.Status, entry.XattrNames ?? fs.ListXattrs(PathBytes.Join(directory, entry.Name)));
                listed.Saw(path, entry.Status);
                if (!entry.Status.IsDirectory)
                {
                    continue;
                }

                var child = PathBytes.Join(directory, entry.Name);
                var childDevice = entry.Status.Device;
                if (listed.Many && HasSubtree(entry.Status))
                {
                    records.Fork(part => Walk(fs, part, child, path, listed, cancellationToken, childDevice));
                }
                else if (linux is not null && depth < RelativeOpensDeep)
                {
                    var childFd = LinuxFileSystem.OpenDirectoryAt(fd, entry.Name, child);
                    try
                    {
                        Walk(fs, records, child, path, listed, cancellationToken, childDevice, childFd, depth + 1);
                    }
                    finally
                    {
                        Native.LibC.Close(childFd);
                    }
                }
                else
                {
                    Walk(fs, records, child, path, listed, cancellationToken, childDevice, depth: depth + 1);
                }
            }

            if (linux is not null)
            {
                // Only a list rented above: a stand-in file system's lists are its own.
                EntryLists.Return(entries);
            }
        }
        finally
        {
            if (linux is not null && opened < 0)
            {
                Native.LibC.Close(fd);
            }
        }
    }

    /// <summary>
    /// Each thread's spare entry lists: a print lists every directory into a new list otherwise, and
    /// their arrays (an entry is a name, a status and its xattr names) were a third of what a warm
    /// export's prints allocated. A list whose walk failed is simply not given back.
    /// </summary>
    private static class EntryLists
    {
        private const int KeptCapacity = 1024;

        [ThreadStatic]
        private static Stack<List<DirEntry>>? t_spare;

        public static List<DirEntry> Rent() => t_spare is { Count: > 0 } spare ? spare.Pop() : [];

        public static void Return(List<DirEntry> entries)
        {
            if (entries.Capacity > KeptCapacity)
            {
                return;
            }

            entries.Clear();
            (t_spare ??= new Stack<List<DirEntry>>()).Push(entries);
        }
    }

    /// <summary>
    /// Whether a directory is worth a thread: it has directories in it (a link count above 2) or
    /// more entries than one block lists. The small uppers of a bulk export have neither, and are
    /// walked where they are. A guess only (btrfs counts no links for directories): never a change
    /// to the print.
    /// </summary>
    private static bool HasSubtree(in FileStatus directory) => directory.LinkCount > 2 || directory.Size > 4096;

    // A length-prefixed name, then the entry's fields and xattr names: no two trees share a stream.
    private static void Append(PooledBufferWriter record, ReadOnlySpan<byte> path, in FileStatus status, IReadOnlyList<string> xattrNames)
    {
        EntryStatFields.WriteLength(record, path.Length);
        record.Write(path);
        EntryStatFields.Write(record.GetSpan(EntryStatFields.Size), status);
        record.Advance(EntryStatFields.Size);
        EntryStatFields.WriteXattrNames(record, xattrNames);
    }

    /// <summary>The entries one print has listed so far, on any thread: whether the tree is big enough to share its walk.</summary>
    private sealed class Listed(int forkAfter, ulong? shortReadsEnd, List<PrintedEntry>? seen)
    {
        private int _count;
        private List<PrintedEntry>? _seen = seen;

        /// <summary>The root's device when its file system ends listings at their first short read (<see cref="ShortReads"/>); null otherwise.</summary>
        public ulong? ShortReadsEnd => shortReadsEnd;

        public bool Many => Volatile.Read(ref _count) >= forkAfter;

        /// <summary>The entries listed, once every walk has finished.</summary>
        public int Count => Volatile.Read(ref _count);

        public void Add(int entries) => Interlocked.Add(ref _count, entries);

        /// <summary>Keeps an entry the walk printed while the tree is small; past that, keeps none (and forked walks never add).</summary>
        public void Saw(byte[] path, in FileStatus status)
        {
            if (_seen is not { } seen)
            {
                return;
            }

            if (Many || seen.Count > PrintedTree.MostEntries)
            {
                _seen = null;
                return;
            }

            seen.Add(PrintedEntry.Of(path, status));
        }
    }
}
