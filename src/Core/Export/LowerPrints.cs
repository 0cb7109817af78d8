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

    // Each set of consulted paths' digest over this run's prints, by the object the records share
    // (StoredLayers hands the same one to every record that lists the same paths): with the prints
    // fixed for the run, the digest of the same paths is the same, and a thousand snapshots that
    // consulted the same five paths hashed them a thousand times.
    private readonly ConcurrentDictionary<ConsultedLowers, string> _digests = new(ReferenceEqualityComparer.Instance);

    /// <summary>The print of <paramref name="absolute"/>: as this run first saw it.</summary>
    public byte[] Of(byte[] absolute) => _prints.GetOrAdd(absolute, path => PathStatPrint.Take(fs, path));

    /// <summary>The digest of <paramref name="consulted"/>' paths over this run's prints (<see cref="ConsultedLowers.DigestOf"/>), taken once per object.</summary>
    internal string DigestOf(ConsultedLowers consulted) =>
        _digests.GetOrAdd(consulted, static (c, prints) => ConsultedLowers.DigestOf(c.Lowers, prints.Of), this);
}
