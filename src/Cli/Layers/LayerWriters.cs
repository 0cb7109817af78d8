namespace ParallelDiff.Cli.Layers;

/// <summary>
/// The one place that chooses how layers are written: through the actor engine, which itself
/// writes small uppers sequentially without starting anything.
/// </summary>
public static class LayerWriters
{
    public static ILayerWriter Create(Settings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new EngineLayerWriter(settings);
    }
}
