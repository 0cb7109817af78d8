using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Tar;

namespace ParallelDiff.Core.Layers;

/// <summary>
/// One tar entry of a layer, in final order: the header, and for a regular file with data, where
/// to read exactly Header.Size bytes from.
/// </summary>
public sealed record LayerEntry(TarHeader Header, ISnapshotTree? DataSource, byte[]? DataPath)
{
    public bool HasData => DataSource is not null && Header.Size > 0;

    /// <summary>The file's status when the diff listed it: what the data, once read, is checked against (<see cref="ReadConsistency"/>).</summary>
    public Fs.FileStatus? DataStatus { get; init; }
}
