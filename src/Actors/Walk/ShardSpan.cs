using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Actors.Walk;

/// <summary>
/// What one shard of a walk covers: the entries of one upper directory, either all of them (read
/// by the worker) or a contiguous range of an already sorted listing (a part of a huge directory).
/// </summary>
/// <param name="Directory">The directory, relative to the upper root; empty for the root.</param>
/// <param name="Entries">The range to classify; null to list <paramref name="Directory"/> first.</param>
public sealed record ShardSpan(byte[] Directory, IReadOnlyList<DirEntry>? Entries)
{
    /// <summary>The root of the upper: where every walk starts (shard 0).</summary>
    public static ShardSpan Root { get; } = new([], null);

    public override string ToString() =>
        Entries is null ? Display : $"{Display} [{Entries.Count} entries from {PathBytes.Display(Entries[0].Name)}]";

    private string Display => Directory.Length == 0 ? "/" : PathBytes.Display(Directory);
}
