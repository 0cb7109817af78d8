namespace ParallelDiff.Actors;

/// <summary>
/// How far one layer's export has come. Reported from actor threads: an <see cref="IProgress{T}"/>
/// that needs a particular thread must marshal (Progress&lt;T&gt; does).
/// </summary>
/// <param name="Snapshot">The snapshot's name (its upper, or its --to tree).</param>
/// <param name="ShardsDone">Shards classified and taken by the layer stream.</param>
/// <param name="ShardsScheduled">Shards known so far (grows as the walk finds directories).</param>
/// <param name="Message">A warning or note, e.g. why the walking differ took over.</param>
public sealed record LayerProgress(string Snapshot, ExportPhase Phase, int ShardsDone, int ShardsScheduled, string? Message = null);
