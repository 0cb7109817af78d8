using System.Buffers.Binary;
using System.Security.Cryptography;
using ParallelDiff.Core.Fs;

namespace ParallelDiff.Core.Export;

/// <summary>
/// A digest of a directory tree's metadata, never of its data: every entry's name, type, mode,
/// owner, size, inode, device, link count, rdev, mtime and ctime to the nanosecond, and xattr
/// names (their values are covered by ctime, which every setxattr moves), in name order. It names a tree "as it was" without reading a byte of its files. What it relies on: the
/// kernel moves ctime on every write, truncate, chmod, chown, xattr change, link and rename, and no
/// user can set it back; a file replaced by another gets another inode or a new ctime. A tree
/// copied elsewhere prints differently (new inodes), which only costs a re-export.
/// </summary>
public static class TreeStatPrint
{
    /// <summary>"sha256:…" of the tree under <paramref name="root"/>, the root's own status included.</summary>
    /// <exception cref="FsException">An entry cannot be listed or vanished during the walk.</exception>
    public static string Of(IFileSystem fs, string root, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(root);
        var rootBytes = PathBytes.FromString(root);
        if (!fs.TryLstat(rootBytes, out var rootStatus, out var errno))
        {
            throw new FsException("lstat", root, errno);
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> record = stackalloc byte[RecordSize];
        Append(hash, record, [], rootStatus);
        AppendXattrNames(hash, fs.ListXattrs(rootBytes));
        if (rootStatus.IsDirectory)
        {
            Walk(fs, hash, rootBytes, [], cancellationToken);
        }

        return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void Walk(IFileSystem fs, IncrementalHash hash, byte[] directory, byte[] relative, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var entries = fs.ListDirectory(directory, withXattrNames: true);
        entries.Sort((a, b) => PathBytes.CompareNames(a.Name, b.Name));
        Span<byte> record = stackalloc byte[RecordSize];
        foreach (var entry in entries)
        {
            var path = PathBytes.Join(relative, entry.Name);
            Append(hash, record, path, entry.Status);
            AppendXattrNames(hash, entry.XattrNames ?? fs.ListXattrs(PathBytes.Join(directory, entry.Name)));
            if (entry.Status.IsDirectory)
            {
                Walk(fs, hash, PathBytes.Join(directory, entry.Name), path, cancellationToken);
            }
        }
    }

    // Fixed-width little-endian fields after a length-prefixed name, so no two trees share a stream.
    private const int RecordSize = 4 + (4 * 4) + (8 * 9);

    private static void Append(IncrementalHash hash, Span<byte> record, ReadOnlySpan<byte> path, in FileStatus s)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, path.Length);
        hash.AppendData(length);
        hash.AppendData(path);
        var at = 0;
        at = Put32(record, at, (int)s.Kind);
        at = Put32(record, at, s.Mode);
        at = Put32(record, at, (int)s.RdevMajor);
        at = Put32(record, at, (int)s.RdevMinor);
        at = Put32(record, at, s.MtimeNanoseconds);
        at = Put64(record, at, s.Uid);
        at = Put64(record, at, s.Gid);
        at = Put64(record, at, s.Size);
        at = Put64(record, at, (long)s.Inode);
        at = Put64(record, at, (long)s.Device);
        at = Put64(record, at, (long)s.LinkCount);
        at = Put64(record, at, s.MtimeSeconds);
        at = Put64(record, at, s.CtimeSeconds);
        at = Put64(record, at, s.CtimeNanoseconds);
        hash.AppendData(record[..at]);
    }

    private static void AppendXattrNames(IncrementalHash hash, IReadOnlyList<string> names)
    {
        // Sorted: the kernel lists them in an order of its own, which a copy of the tree need not keep.
        var sorted = names.Order(StringComparer.Ordinal).ToList();
        Span<byte> count = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(count, sorted.Count);
        hash.AppendData(count);
        foreach (var name in sorted)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(name);
            BinaryPrimitives.WriteInt32LittleEndian(count, bytes.Length);
            hash.AppendData(count);
            hash.AppendData(bytes);
        }
    }

    private static int Put32(Span<byte> record, int at, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(record[at..], value);
        return at + 4;
    }

    private static int Put64(Span<byte> record, int at, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(record[at..], value);
        return at + 8;
    }
}
