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
public static class TreeStatPrint
{
    /// <summary>"sha256:…" of the tree under <paramref name="root"/>, the root's own status included.</summary>
    /// <exception cref="FsException">An entry cannot be listed or vanished during the walk.</exception>
    public static string Of(IFileSystem fs, string root, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(root);
        return Of(fs, PathBytes.FromString(root), cancellationToken);
    }

    /// <inheritdoc cref="Of(IFileSystem, string, CancellationToken)"/>
    public static string Of(IFileSystem fs, byte[] root, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(root);
        if (!fs.TryLstat(root, out var rootStatus, out var errno))
        {
            throw new FsException("lstat", PathBytes.Display(root), errno);
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var record = new ArrayBufferWriter<byte>(256);
        Append(hash, record, [], rootStatus, fs.ListXattrs(root));
        if (rootStatus.IsDirectory)
        {
            Walk(fs, hash, record, root, [], cancellationToken);
        }

        return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void Walk(IFileSystem fs, IncrementalHash hash, ArrayBufferWriter<byte> record, byte[] directory, byte[] relative, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var entries = fs.ListDirectory(directory, withXattrNames: true);
        entries.Sort((a, b) => PathBytes.CompareNames(a.Name, b.Name));
        foreach (var entry in entries)
        {
            var path = PathBytes.Join(relative, entry.Name);
            Append(hash, record, path, entry.Status, entry.XattrNames ?? fs.ListXattrs(PathBytes.Join(directory, entry.Name)));
            if (entry.Status.IsDirectory)
            {
                Walk(fs, hash, record, PathBytes.Join(directory, entry.Name), path, cancellationToken);
            }
        }
    }

    // A length-prefixed name, then the entry's fields and xattr names: no two trees share a stream.
    private static void Append(IncrementalHash hash, ArrayBufferWriter<byte> record, ReadOnlySpan<byte> path, in FileStatus status, IReadOnlyList<string> xattrNames)
    {
        record.ResetWrittenCount();
        EntryStatFields.WriteLength(record, path.Length);
        record.Write(path);
        EntryStatFields.Write(record.GetSpan(EntryStatFields.Size), status);
        record.Advance(EntryStatFields.Size);
        EntryStatFields.WriteXattrNames(record, xattrNames);
        hash.AppendData(record.WrittenSpan);
    }
}
