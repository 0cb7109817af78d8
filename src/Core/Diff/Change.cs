using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Core.Diff;

/// <summary>
/// One change a differ found, with everything the tar writer needs except the file data, which
/// is read later from <see cref="Source"/> (so a parallel reader can fetch it ahead).
/// </summary>
public sealed record Change(
    ChangeKind Kind,
    byte[] Path,
    FileStatus Status,
    ISnapshotTree Source,
    byte[]? LinkTarget,
    IReadOnlyList<KeyValuePair<string, byte[]>> Xattrs);
