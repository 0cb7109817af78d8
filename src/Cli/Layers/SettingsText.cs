using System.Collections.Concurrent;
using ParallelDiff.Core.Layers;

namespace ParallelDiff.Cli.Layers;

/// <summary>
/// The text of a compression and layer settings pair as fingerprints and --cache keys print it,
/// made once per distinct pair: a record's ToString walks its members (and theirs), and a bulk
/// export of a thousand jobs printed the same pair twice per job, a tenth of its planning and of a
/// warm job's own work. Records compare by value, so equal settings share one text.
/// </summary>
internal static class SettingsText
{
    private static readonly ConcurrentDictionary<(CompressionSettings Compression, LayerOptions Layer), string> Made = new();

    public static string Of(CompressionSettings compression, LayerOptions layer) =>
        Made.GetOrAdd((compression, layer), pair => $"{pair.Compression} {pair.Layer}");
}
