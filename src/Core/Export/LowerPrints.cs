using System.Collections.Concurrent;
using ParallelDiff.Core.Fs;

namespace ParallelDiff.Core.Export;

/// <summary>
/// The <see cref="PathStatPrint">stat prints</see> of lower paths for one export run, each taken
/// once (lstat and llistxattr) and then answered from memory. The jobs of a bulk export mostly
/// share their lowers, and their cached layers consulted the same few lower paths: a warm export of
/// 1,000 snapshots on one base took the same eight calls again for every snapshot. Kept for one run
/// on purpose, never longer: it relies on the lowers not changing while the run goes on (what
/// overlayfs asks of a mounted overlay's lowers), so every layer of the run is checked against one
/// look at them, and the next run looks again.
/// </summary>
public sealed class LowerPrints(IFileSystem fs)
{
    private readonly ConcurrentDictionary<byte[], byte[]> _prints = new(ByteArrayComparer.Instance);

    /// <summary>The print of <paramref name="absolute"/>: as this run first saw it.</summary>
    public byte[] Of(byte[] absolute) => _prints.GetOrAdd(absolute, path => PathStatPrint.Take(fs, path));
}
