using System.Buffers;
using System.Security.Cryptography;
using ParallelDiff.Core.Fs;

namespace ParallelDiff.Core.Export;

/// <summary>
/// What a cached layer relies on in its lowers (issue 15): the lower paths the differ consulted,
/// their ancestors up to each lower's root, and one digest over their <see cref="PathStatPrint">stat
/// prints</see> as they were while the layer was written (<see cref="ConsultedLowersRecorder"/>). A
/// later run lstats exactly these paths and takes the layer only when the digest is the same. That is
/// enough: a path's ctime moves on every write, truncate, chmod, chown and xattr change; a directory's
/// mtime and ctime on every name added to it or removed from it, so a name the differ found absent
/// cannot appear unseen below a consulted directory; a symbolic link cannot be changed in place, only
/// replaced (a new inode); and a path found absent is recorded as absent with its errno.
/// </summary>
public sealed partial class ConsultedLowers
{
    public ConsultedLowers(IReadOnlyList<ConsultedLower> lowers, string digest)
    {
        ArgumentNullException.ThrowIfNull(lowers);
        ArgumentException.ThrowIfNullOrEmpty(digest);
        Lowers = lowers;
        Digest = digest;
    }

    /// <summary>Each lower's consulted paths, in the snapshot's order of its (distinct) lowers.</summary>
    public IReadOnlyList<ConsultedLower> Lowers { get; }

    /// <summary>"sha256:…" over every path and its stat print, in <see cref="Lowers"/> order.</summary>
    public string Digest { get; }

    /// <summary>How many paths, over all lowers.</summary>
    public int Count => Lowers.Sum(l => l.Paths.Count);

    /// <summary>Whether every path still prints as it did: lstat and llistxattr of each, nothing more.</summary>
    public bool StillHolds(IFileSystem fs)
    {
        ArgumentNullException.ThrowIfNull(fs);
        return DigestOf(Lowers, absolute => PathStatPrint.Take(fs, absolute)) == Digest;
    }

    /// <summary>Whether every path prints as it did, by the prints this run took (<see cref="LowerPrints"/>: each path looked at once a run).</summary>
    public bool StillHolds(LowerPrints prints)
    {
        ArgumentNullException.ThrowIfNull(prints);
        return prints.DigestOf(this) == Digest;
    }

    /// <summary>The digest over <paramref name="lowers"/>' paths, each printed by <paramref name="printOf"/> (given the absolute path).</summary>
    internal static string DigestOf(IReadOnlyList<ConsultedLower> lowers, Func<byte[], byte[]> printOf)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var field = new ArrayBufferWriter<byte>(256);
        foreach (var lower in lowers)
        {
            field.ResetWrittenCount();
            EntryStatFields.WriteLength(field, lower.Root.Length);
            field.Write(lower.Root);
            EntryStatFields.WriteLength(field, lower.Paths.Count);
            hash.AppendData(field.WrittenSpan);
            foreach (var path in lower.Paths)
            {
                var print = printOf(PathBytes.Under(lower.Root, path));
                field.ResetWrittenCount();
                EntryStatFields.WriteLength(field, path.Length);
                field.Write(path);
                EntryStatFields.WriteLength(field, print.Length);
                field.Write(print);
                hash.AppendData(field.WrittenSpan);
            }
        }

        return Sha256Text.FromHash(hash.GetHashAndReset());
    }
}
