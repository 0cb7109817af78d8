using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Core.Export;

/// <summary>
/// The key under which a --cache directory finds a snapshot's layer: a digest of the settings that
/// decide the bytes and of the <see cref="TreeStatPrint"/> of every tree the differ may look at (the
/// upper and each lower, or both trees of a pair). The lowers are printed whole, not just at the
/// paths one export happened to consult: that costs a walk of each lower once per run (the jobs of
/// a bulk export share their lowers, and each tree is printed once), and it holds whatever a
/// future differ consults. Safe to use from many threads.
/// </summary>
public sealed class SnapshotCacheKeys(IFileSystem fs)
{
    private const string Version = "paralleldiff cached snapshot 1";

    private readonly ConcurrentDictionary<string, Lazy<string>> _prints = new(StringComparer.Ordinal);

    /// <param name="settings">What decides the bytes besides the trees (compression, level, layer options) in a stable text form.</param>
    /// <exception cref="FsException">A tree cannot be walked.</exception>
    public string KeyOf(Snapshot snapshot, string settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(settings);
        var text = new StringBuilder(Version).Append('\n').Append(settings).Append('\n');
        if (snapshot.IsTreePair)
        {
            text.Append("from ").Append(snapshot.From is { } from ? Print(from, cancellationToken) : "none").Append('\n');
            text.Append("to ").Append(Print(snapshot.To!, cancellationToken)).Append('\n');
        }
        else
        {
            text.Append(snapshot.Overlay).Append('\n');
            text.Append("upper ").Append(Print(snapshot.Upper ?? throw new ArgumentException("a snapshot needs an upper", nameof(snapshot)), cancellationToken)).Append('\n');
            foreach (var lower in snapshot.Lowers)
            {
                text.Append(lower.DataOnly ? "data " : "lower ").Append(Print(lower.Path, cancellationToken)).Append('\n');
            }
        }

        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private string Print(string tree, CancellationToken cancellationToken)
    {
        var once = _prints.GetOrAdd(Path.GetFullPath(tree), path => new Lazy<string>(() => TreeStatPrint.Of(fs, path, cancellationToken)));
        try
        {
            return once.Value;
        }
        catch
        {
            // A failed print is not kept: the next snapshot that needs the tree tries again.
            _prints.TryRemove(new KeyValuePair<string, Lazy<string>>(Path.GetFullPath(tree), once));
            throw;
        }
    }
}
