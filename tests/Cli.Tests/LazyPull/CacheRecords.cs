using System.Text.Json;
using ParallelDiff.Core.Export;
using ParallelDiff.Core.Fs;

namespace ParallelDiff.Cli.Tests.LazyPull;

/// <summary>The records of a --cache directory as a test reads them: each one's layer digest and the lower paths it lists as consulted.</summary>
public static class CacheRecords
{
    public sealed record Entry(string LayerDigest, ConsultedLowers? Consulted)
    {
        /// <summary>The consulted paths, absolute, as text (raw names escaped as the CLI takes them).</summary>
        public IReadOnlyList<string> AbsolutePaths => Consulted is null ? []
            : [.. Consulted.Lowers.SelectMany(l => l.Paths.Select(p => PathBytes.Display(PathBytes.Under(l.Root, p))))];

        /// <summary>The consulted paths of the lower at <paramref name="root"/>, relative ("" for the root).</summary>
        public IReadOnlyList<string> PathsUnder(string root) => Consulted is null ? []
            : [.. Consulted.Lowers.Single(l => l.Root.AsSpan().SequenceEqual(PathBytes.FromString(root))).Paths.Select(p => PathBytes.Display(p))];
    }

    public static List<Entry> Read(string cache)
    {
        var directory = Path.Combine(cache, ".paralleldiff", "layers");
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var entries = new List<Entry>();
        foreach (var file in Directory.GetFiles(directory, "*.json"))
        {
            using var json = JsonDocument.Parse(File.ReadAllBytes(file));
            var root = json.RootElement;
            var digest = root.GetProperty("report").GetProperty("descriptor").GetProperty("digest").GetString()!;
            entries.Add(new Entry(digest, root.TryGetProperty("consulted", out var c) ? ConsultedLowers.FromJson(c) : null));
        }

        return entries;
    }
}
