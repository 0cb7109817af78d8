using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Core.Diff;

/// <summary>
/// BuildKit's sameDirent / continuity's sameFile (spec §2.4, §4.2): is an entry present in both
/// trees unchanged? moby/buildkit#2480: a copied-up but unchanged file is not a change.
/// </summary>
public sealed class DirentComparer
{
    private const int ChunkSize = 32 * 1024;
    private readonly bool _exact;
    private readonly bool _sameInodeMeansSame;
    private readonly bool _copyUpBreaksLinks;
    private readonly XattrPolicy _xattrs;

    /// <param name="exact">Compare content whenever metadata is equal (see <see cref="DiffOptions.Exact"/>).</param>
    /// <param name="sameInodeMeansSame">The base is one real directory (BuildKit bind-mounts a single lower), so equal dev/ino is the same file.</param>
    /// <param name="copyUpBreaksLinks">
    /// The trees are an overlay's lower and merged views, where an entry that is another inode than
    /// its hard-linked base is a copy-up that broke the link; with <paramref name="exact"/> it counts as a change.
    /// </param>
    /// <param name="xattrs">
    /// The attributes the layer carries: with <see cref="XattrPolicy.All"/> an entry whose only
    /// change is an xattr (set, changed, emptied or removed) is a change, else the layer would keep the lower's set.
    /// </param>
    public DirentComparer(bool exact, bool sameInodeMeansSame, bool copyUpBreaksLinks = false, XattrPolicy xattrs = XattrPolicy.Capability)
    {
        _xattrs = xattrs;
        _exact = exact;
        _sameInodeMeansSame = sameInodeMeansSame;
        _copyUpBreaksLinks = exact && copyUpBreaksLinks;
    }

    public bool Same(ISnapshotTree baseTree, FileStatus a, ISnapshotTree newTree, FileStatus b, byte[] path)
    {
        if (_sameInodeMeansSame && a.Device == b.Device && a.Inode == b.Inode)
        {
            return true;
        }

        if (a.Kind != b.Kind || a.Mode != b.Mode || a.Uid != b.Uid || a.Gid != b.Gid
            || a.RdevMajor != b.RdevMajor || a.RdevMinor != b.RdevMinor)
        {
            return false;
        }

        if (!baseTree.GetXattr(path, EntryDetails.Capability).AsSpan().SequenceEqual(newTree.GetXattr(path, EntryDetails.Capability)))
        {
            return false;
        }

        if (_xattrs == XattrPolicy.All && !SameXattrs(baseTree, a, newTree, b, path))
        {
            return false;
        }

        if (a.IsDirectory)
        {
            // Directory mtime, size, nlink and other xattrs are never compared.
            return true;
        }

        if (_copyUpBreaksLinks && a.IsHardLinked && (a.Device != b.Device || a.Inode != b.Inode))
        {
            // A copy-up breaks a lower hard link even when nothing else changed: the merged view
            // then has two inodes. BuildKit skips the copy (the link survives in consumers);
            // --exact writes it so the applied tree has the kernel's link groups.
            return false;
        }

        if (a.Size != b.Size || a.MtimeSeconds != b.MtimeSeconds)
        {
            return false;
        }

        var bothTruncated = a.MtimeNanoseconds == 0 && b.MtimeNanoseconds == 0;
        if (!bothTruncated && a.MtimeNanoseconds != b.MtimeNanoseconds)
        {
            // containerd/containerd#1945: one side at 0 ns means changed (the code, not the doc comment).
            return false;
        }

        if (!bothTruncated && !_exact)
        {
            // Equal non-zero nanoseconds: the same without reading the data (BuildKit TestUpdateWithSameTime).
            return true;
        }

        if (a.Kind == FileKind.Symlink)
        {
            return baseTree.ReadLink(path).AsSpan().SequenceEqual(newTree.ReadLink(path));
        }

        if (a.Size == 0 || a.Kind != FileKind.Regular)
        {
            return true;
        }

        return SameContent(baseTree, newTree, path);
    }

    /// <summary>
    /// The exported attribute sets (overlay's private ones left out) are equal, names and values;
    /// an empty value is a value. BuildKit compares security.capability only, which the default policy keeps.
    /// </summary>
    private static bool SameXattrs(ISnapshotTree baseTree, FileStatus a, ISnapshotTree newTree, FileStatus b, byte[] path)
    {
        var before = EntryDetails.ReadXattrs(baseTree, path, a, XattrPolicy.All);
        var after = EntryDetails.ReadXattrs(newTree, path, b, XattrPolicy.All);
        if (before.Count != after.Count)
        {
            return false;
        }

        for (var i = 0; i < before.Count; i++)
        {
            if (!string.Equals(before[i].Key, after[i].Key, StringComparison.Ordinal) || !before[i].Value.AsSpan().SequenceEqual(after[i].Value))
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameContent(ISnapshotTree baseTree, ISnapshotTree newTree, byte[] path)
    {
        using var x = baseTree.OpenData(path);
        using var y = newTree.OpenData(path);
        var bufferX = new byte[ChunkSize];
        var bufferY = new byte[ChunkSize];
        long offset = 0;
        while (true)
        {
            var n = ReadFull(x, bufferX, offset);
            var m = ReadFull(y, bufferY, offset);
            if (n != m || !bufferX.AsSpan(0, n).SequenceEqual(bufferY.AsSpan(0, m)))
            {
                return false;
            }

            if (n == 0)
            {
                return true;
            }

            offset += n;
        }
    }

    private static int ReadFull(Microsoft.Win32.SafeHandles.SafeFileHandle handle, byte[] buffer, long offset)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = RandomAccess.Read(handle, buffer.AsSpan(total), offset + total);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }
}
