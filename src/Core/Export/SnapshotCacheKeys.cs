using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Core.Export;

/// <summary>
/// The keys under which a --cache directory finds a snapshot's layer: a digest of the settings that
/// decide the bytes, the overlay options, the <see cref="TreeStatPrint"/> of the whole upper, and
/// each lower's canonical root and role (lower or data-only), but not the lowers' contents. Those
/// are checked at the paths the export that made the layer consulted (<see cref="ConsultedLowers"/>,
/// kept in the record under this key): a small snapshot over a big base image reads a few lower
/// paths, and printing the whole lower for each run cost more than the export of all its small
/// snapshots. A --from/--to pair keeps whole prints of both trees (the walking differ reads all of
/// both). Roots are resolved to their canonical form here, so a lower reached through a symbolic
/// link that now points elsewhere gives another key. Safe to use from many threads.
/// </summary>
/// <param name="printedTrees">Where small uppers' walks are kept between runs (<see cref="PrintedTrees"/>), or null to walk every upper.</param>
/// <param name="time">The clock that decides whether a walk's directories have settled (tests move it); the system's by default.</param>
public sealed class SnapshotCacheKeys(IFileSystem fs, PrintedTrees? printedTrees = null, TimeProvider? time = null)
{
    // A walk's tree is kept only when every directory in it last changed this long before the walk
    // began. A directory's names are read after its status, so a change in between is caught by
    // its ctime moving; but without fine-grained timestamps two changes within one clock tick can
    // leave the same ctime, and the second would go unseen by a later lookup. A tree that has been
    // still for seconds cannot hide a change that way: any later one gets a later ctime.
    private static readonly TimeSpan SettledFor = TimeSpan.FromSeconds(2);

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    // 2: the lowers count by their consulted paths, kept in the record, not by whole prints.
    private const string Version = "paralleldiff cached snapshot 2";

    // The prints of big trees, kept for the run: two jobs may name one tree (an upper exported with
    // two settings, a --from tree many pairs share), and printing it again costs a walk. A small
    // tree's print is not kept: a bulk export's thousand small uppers each held a key, a print and
    // a Lazy to the end of the run, which every collection that promoted them copied into fresh
    // memory (~11 us a page here), to spare a walk of a few entries that seldom comes.
    private readonly ConcurrentDictionary<byte[], string> _prints = new(ByteArrayComparer.Instance);

    /// <summary>The fewest entries under a root whose print is kept for the run.</summary>
    internal const int KeptPrintEntries = 256;

    // Each lower's canonical root, resolved once a run: a thousand snapshots over one base image
    // resolved it a thousand times (an O_PATH open, a /proc readlink, a close and an lstat each).
    // Like a print, a path is taken as the run first saw it.
    private readonly ConcurrentDictionary<string, (byte[] Root, string Base64)> _lowerRoots = new(StringComparer.Ordinal);

    // Whether each device's file system ends listings at a short read (ShortReads), asked once a
    // run: the uppers of a bulk export mostly share one file system, and each print asked statfs.
    private readonly ConcurrentDictionary<ulong, bool> _shortReads = new();

    // The overlay options as the key spells them: the same for every snapshot of a bulk export,
    // and spelled by a record's generated ToString, a dozen allocations a snapshot.
    private readonly ConcurrentDictionary<OverlayOptions, string> _overlayTexts = new();

    /// <param name="settings">What decides the bytes besides the trees (compression, level, layer options) in a stable text form.</param>
    /// <exception cref="FsException">A tree cannot be walked.</exception>
    /// <exception cref="SnapshotException">A directory of the snapshot is missing or not a directory.</exception>
    public SnapshotCacheKey KeyOf(Snapshot snapshot, string settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(settings);
        // The key's text, UTF-8 into a pooled buffer and hashed there: built as a string it was a
        // StringBuilder's chunks, the string and its bytes again for every snapshot of a warm export.
        using var text = new PooledBufferWriter(1024);
        Append(text, Version, "\n", settings, "\n");
        if (snapshot.IsTreePair)
        {
            Append(text, "from ", snapshot.From is { } from ? Print(SnapshotPaths.CanonicalDirectory(from, "--from"), cancellationToken) : "none", "\n");
            Append(text, "to ", Print(SnapshotPaths.CanonicalDirectory(snapshot.To!, "--to"), cancellationToken), "\n");
            return new SnapshotCacheKey(Digest(text), null, []);
        }

        // Opened for reading where its path has no link: the print lists it through that descriptor.
        var upper = SnapshotPaths.OpenCanonicalDirectory(snapshot.Upper ?? throw new ArgumentException("a snapshot needs an upper", nameof(snapshot)), "--upper", out var upperStatus, out var upperDirectory);
        try
        {
            Append(text, _overlayTexts.GetOrAdd(snapshot.Overlay, static options => options.ToString()), "\n");
            Append(text, "upper ", Print(upper, upperStatus, upperDirectory, cancellationToken), "\n");
        }
        finally
        {
            if (upperDirectory >= 0)
            {
                Native.LibC.Close(upperDirectory);
            }
        }

        var lowers = new List<byte[]>(snapshot.Lowers.Count);
        foreach (var lower in snapshot.Lowers)
        {
            var (root, base64) = _lowerRoots.GetOrAdd(
                lower.Path,
                static (path, role) =>
                {
                    var canonical = SnapshotPaths.CanonicalDirectory(path, role);
                    return (canonical, Convert.ToBase64String(canonical));
                },
                lower.DataOnly ? "data-only lower" : "lower");
            lowers.Add(root);
            Append(text, lower.DataOnly ? "data " : "lower ", base64, "\n");
        }

        return new SnapshotCacheKey(Digest(text), upper, lowers);
    }

    private static void Append(PooledBufferWriter text, string a, string b, string c = "", string d = "")
    {
        Encoding.UTF8.GetBytes(a, text);
        Encoding.UTF8.GetBytes(b, text);
        Encoding.UTF8.GetBytes(c, text);
        Encoding.UTF8.GetBytes(d, text);
    }

    private static string Digest(PooledBufferWriter text)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(text.WrittenSpan, digest);
        return Sha256Text.FromHash(digest);
    }

    private string Print(byte[] tree, CancellationToken cancellationToken) => Print(tree, null, -1, cancellationToken);

    /// <param name="status">The root's lstat when the caller just took it (resolving the root), else null.</param>
    /// <param name="directory">The root open for reading and unread, or -1; the caller's, open until this returns.</param>
    private string Print(byte[] tree, FileStatus? status, int directory, CancellationToken cancellationToken)
    {
        if (_prints.TryGetValue(tree, out var kept))
        {
            return kept;
        }

        // CanonicalDirectory's lstat and descriptor are the real file system's: a stand-in file system takes its own.
        int entries;
        string print;
        if (status is { } known && fs is LinuxFileSystem linux)
        {
            // A small upper printed before is looked up path by path while its directories are unchanged.
            var trees = directory >= 0 ? printedTrees : null;
            if (trees?.Read(tree) is { } printed && TreeStatPrint.OfKnown(linux, tree, known, directory, printed, out entries) is { } again)
            {
                return again;
            }

            var settled = _time.GetUtcNow() - SettledFor;
            print = TreeStatPrint.Of(fs, tree, known, out entries, out var seen, ShortReadsEnd(known.Device, tree), directory, cancellationToken);
            if (trees is not null && seen is not null && seen.DirectoriesChangedBefore(settled))
            {
                trees.Write(tree, seen);
            }
        }
        else
        {
            print = TreeStatPrint.Of(fs, tree, out entries, cancellationToken);
        }

        // Two threads printing one big tree at once both walk it (two jobs of one upper in flight
        // together); either print is the tree's, and the first kept is what later jobs take.
        return entries >= KeptPrintEntries ? _prints.GetOrAdd(tree, print) : print;
    }

    private bool ShortReadsEnd(ulong device, byte[] tree) => _shortReads.GetOrAdd(device, static (_, root) => ShortReads.End(root), tree);
}
