namespace ParallelDiff.Streams.Tests.Support;

/// <summary>One tree (a few MiB on disk) for every test of a class.</summary>
public sealed class LayerTreeFixture : IDisposable
{
    public LayerTree Tree { get; } = new();

    public void Dispose() => Tree.Dispose();
}
