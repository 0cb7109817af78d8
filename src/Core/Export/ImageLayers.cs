using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Core.Export;

/// <summary>
/// An overlay stack seen as the image it is: every directory of it a layer over the ones below, as
/// a snapshotter made them (the bottom lower is a bottom-most snapshot, the next one over it, …,
/// the upper over all). Each layer can then be exported on its own, and at once with the others.
/// </summary>
public static class ImageLayers
{
    /// <summary>
    /// The snapshots of a stack's layers, bottom first. Data-only layers (lowerdir "::", datadir+)
    /// are not layers of the image: they only serve metacopy data, so every layer keeps them below.
    /// </summary>
    /// <exception cref="SnapshotException">The snapshot is a pair of trees, not an overlay stack.</exception>
    public static IReadOnlyList<Snapshot> Of(Snapshot stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        if (stack.Upper is null)
        {
            throw new SnapshotException("an image needs an overlay stack (an upper over its lowers), not two trees");
        }

        var dataOnly = stack.Lowers.Where(l => l.DataOnly).ToList();
        List<OverlayLayer> topFirst = [new OverlayLayer(stack.Upper), .. stack.Lowers.Where(l => !l.DataOnly)];
        var layers = new List<Snapshot>(topFirst.Count);
        for (var i = topFirst.Count - 1; i >= 0; i--)
        {
            layers.Add(new Snapshot
            {
                Upper = topFirst[i].Path,
                Lowers = [.. topFirst.Skip(i + 1), .. dataOnly],
                Overlay = stack.Overlay,
            });
        }

        return layers;
    }
}
