using System.Security.Cryptography;
using System.Text;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Core.Export;

/// <summary>
/// The keys under which <see cref="StoredLayers"/> finds the layers of a stack. A layer's bytes
/// depend on its upper, on every layer below it (whiteouts, opaque directories and copy-ups are
/// decided by looking there), on the data-only lowers that serve its metacopy files, on the overlay
/// options and on the layer settings; so its key is a digest of its upper's
/// <see cref="TreeStatPrint"/>, the key of the layer below, the data-only lowers' prints, and the
/// settings text. Any change anywhere under a layer gives it a new key, and it is exported again.
/// </summary>
public static class StoredLayerKeys
{
    private const string Version = "paralleldiff stored layer 2";

    /// <param name="layers">The stack's layers, bottom first, as <see cref="ImageLayers.Of"/> gives them.</param>
    /// <param name="settings">What decides the bytes besides the trees: compression, level, layer options, in a stable text form.</param>
    /// <returns>One key per layer, bottom first.</returns>
    /// <exception cref="FsException">A tree cannot be walked.</exception>
    public static IReadOnlyList<string> Of(IFileSystem fs, IReadOnlyList<Snapshot> layers, string settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(settings);
        var keys = new List<string>(layers.Count);
        string? below = null;
        var dataOnly = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var layer in layers)
        {
            var text = new StringBuilder(Version).Append('\n').Append(settings).Append('\n').Append(layer.Overlay).Append('\n');
            text.Append("upper ").Append(TreeStatPrint.Of(fs, layer.Upper ?? throw new ArgumentException("a layer needs an upper", nameof(layers)), cancellationToken)).Append('\n');
            text.Append("below ").Append(below ?? "none").Append('\n');
            foreach (var lower in layer.Lowers.Where(l => l.DataOnly))
            {
                if (!dataOnly.TryGetValue(lower.Path, out var print))
                {
                    print = TreeStatPrint.Of(fs, lower.Path, cancellationToken);
                    dataOnly[lower.Path] = print;
                }

                text.Append("data ").Append(print).Append('\n');
            }

            below = Sha256Text.Of(Encoding.UTF8.GetBytes(text.ToString()));
            keys.Add(below);
        }

        return keys;
    }
}
