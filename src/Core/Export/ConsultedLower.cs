namespace ParallelDiff.Core.Export;

/// <summary>
/// The paths of one lower that an export consulted: the lower's canonical root (no symbolic link
/// in any component) and the paths under it relative to the root, raw bytes, the root itself as
/// the empty path, in byte order.
/// </summary>
public sealed record ConsultedLower(byte[] Root, IReadOnlyList<byte[]> Paths);
