using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Core.Layers;

/// <summary>
/// The sequential reference path: diff a snapshot and write its uncompressed layer tar. The
/// parallel pipeline must produce exactly these bytes.
/// </summary>
public static class LayerTar
{
    /// <summary>
    /// Diffs first, then writes: a differ failure (and the auto fallback) happens before any byte
    /// reaches <paramref name="output"/>.
    /// </summary>
    public static LayerTarResult Write(SnapshotDiff diff, LayerOptions options, Stream output, Action<string> warn, CancellationToken cancellationToken)
    {
        var changes = Changes(diff, options, warn, cancellationToken, out var differ);
        var tar = new TarStreamWriter(output, cancellationToken);
        var writer = new ChangeWriter(tar, diff.New, options.Writer with { Xattrs = options.Diff.Xattrs });
        foreach (var change in changes)
        {
            writer.Handle(change);
        }

        tar.Finish();
        return new LayerTarResult(differ, writer.EntriesWritten, tar.DataBytes);
    }

    /// <summary>The ordered changes of a snapshot, by the differ the options choose.</summary>
    public static ChangeList Changes(SnapshotDiff diff, LayerOptions options, Action<string> warn, CancellationToken cancellationToken, out DifferKind differ)
    {
        var changes = new ChangeList();
        differ = diff.Run(options.Differ, options.Diff, changes, warn, changes.Clear, cancellationToken);
        return changes;
    }

    /// <summary>Convenience for tests and tools: the whole tar of a snapshot in memory.</summary>
    public static byte[] ToBytes(Snapshot snapshot, LayerOptions options, CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        Write(SnapshotDiff.Open(snapshot), options, buffer, _ => { }, cancellationToken);
        return buffer.ToArray();
    }
}
