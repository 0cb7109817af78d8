namespace ParallelDiff.Core.Export;

/// <summary>
/// Where a --cache directory looks for a snapshot's layer (<see cref="SnapshotCacheKeys"/>), with the
/// canonical directories the lookup digest was made from: an export under this key must read its
/// lowers there (<see cref="ConsultedLowersRecorder"/>), and a record found under it holds the
/// <see cref="ConsultedLowers"/> that must still print the same.
/// </summary>
/// <param name="Lookup">"sha256:…" of the settings, the overlay options, the upper's whole print and each lower's canonical root and role.</param>
/// <param name="Upper">The upper's canonical root; null for a --from/--to pair.</param>
/// <param name="Lowers">The lowers' canonical roots, top first; empty for a pair or a bottom-most snapshot.</param>
public sealed record SnapshotCacheKey(string Lookup, byte[]? Upper, IReadOnlyList<byte[]> Lowers)
{
    /// <summary>Whether the layer depends on lower paths, so that its record must list the ones consulted.</summary>
    public bool ConsultsLowers => Lowers.Count > 0;
}
