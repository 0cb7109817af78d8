using System.Collections.Concurrent;
using ParallelDiff.Actors;

namespace ParallelDiff.Hosting.Tests.Support;

/// <summary>Every phase an export reports, at once and in order (Progress&lt;T&gt; would post them later).</summary>
public sealed class PhaseRecorder : IProgress<LayerProgress>
{
    private readonly ConcurrentQueue<ExportPhase> _phases = new();

    public IReadOnlyCollection<ExportPhase> Phases => _phases;

    public void Report(LayerProgress value) => _phases.Enqueue(value.Phase);
}
