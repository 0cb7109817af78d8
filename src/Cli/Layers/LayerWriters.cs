namespace ParallelDiff.Cli.Layers;

/// <summary>
/// The one place that chooses how layers are written. Today: Core's sequential exporter. When the
/// actor engine (src/Actors, ExportEngine) is merged, this returns a writer over one engine for the
/// whole run, and every command follows.
/// </summary>
public static class LayerWriters
{
    public static ILayerWriter Create(Settings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new SequentialLayerWriter();
    }
}
