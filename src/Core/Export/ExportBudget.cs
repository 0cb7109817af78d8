namespace ParallelDiff.Core.Export;

/// <summary>
/// How a bulk export shares the machine (the concern of moby/buildkit#6841: parallel compression
/// per layer and many layers at once must not multiply). The rule:
/// <list type="number">
/// <item>layers in flight L = min(--max-concurrent, cores, jobs), at least 1 — each layer is given at least one core;</item>
/// <item>per-layer parallelism P = cores / L (rounded down, at least 1), so L × P ≤ cores;</item>
/// <item>memory: a layer holds its read-ahead window plus, per worker, the blocks being compressed;
/// while L × (read-ahead + P × per-worker) exceeds the memory budget, L is lowered (and P recomputed).</item>
/// </list>
/// </summary>
public sealed record ExportBudget(int LayersInFlight, int PerLayerParallelism)
{
    /// <param name="cores">CPUs this process may use.</param>
    /// <param name="maxConcurrent">--max-concurrent; 0 or less means as many as cores.</param>
    /// <param name="jobs">Snapshots still to export (no point holding slots for none).</param>
    /// <param name="memoryBudget">Bytes all layers in flight may hold together.</param>
    /// <param name="memoryPerLayer">What one layer holds whatever its parallelism (the read-ahead window).</param>
    /// <param name="memoryPerWorker">What each worker of a layer adds (blocks in and out of its compressor).</param>
    public static ExportBudget For(int cores, int maxConcurrent, int jobs, long memoryBudget, long memoryPerLayer, long memoryPerWorker)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cores, 1);
        var layers = Math.Max(1, Math.Min(maxConcurrent <= 0 ? cores : maxConcurrent, Math.Min(cores, Math.Max(jobs, 1))));
        while (layers > 1 && layers * (memoryPerLayer + (Math.Max(1, cores / layers) * memoryPerWorker)) > memoryBudget)
        {
            layers--;
        }

        return new ExportBudget(layers, Math.Max(1, cores / layers));
    }

    public override string ToString() => $"{LayersInFlight} layer(s) in flight × {PerLayerParallelism} worker(s) each";
}
