namespace ParallelDiff.Actors.Tests.Support;

/// <summary>Progress&lt;T&gt; posts to a synchronization context; a test wants every report, in order, at once.</summary>
public sealed class SynchronousProgress(Action<LayerProgress> report) : IProgress<LayerProgress>
{
    public void Report(LayerProgress value) => report(value);
}
