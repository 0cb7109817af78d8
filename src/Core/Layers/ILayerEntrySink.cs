namespace ParallelDiff.Core.Layers;

/// <summary>Receives the entries of a layer in tar order.</summary>
public interface ILayerEntrySink
{
    void Write(LayerEntry entry);
}
