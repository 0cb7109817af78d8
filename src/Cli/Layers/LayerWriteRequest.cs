using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Cli.Layers;

/// <summary>One layer to write: the snapshot, what decides its bytes, where the blob goes, and how many workers it may use.</summary>
public sealed record LayerWriteRequest(Snapshot Snapshot, LayerOptions Layer, CompressionSettings Compression, string OutputPath)
{
    /// <summary>Workers this layer may use (its share of the export budget); never changes the bytes.</summary>
    public int Parallelism { get; init; } = 1;

    /// <summary>False when the caller syncs the blob itself (<see cref="ParallelDiff.Actors.ExportOptions.DurableOutput"/>).</summary>
    public bool DurableOutput { get; init; } = true;

    /// <summary>Counts the layer's bytes as it is written, for the progress views; null when nobody watches.</summary>
    public LayerMeter? Meter { get; init; }

    /// <summary>A second destination for the blob's bytes as they are written (a registry upload), opened for each write.</summary>
    public Func<IBlobTarget>? Copy { get; init; }

    /// <summary>False when the blob goes to <see cref="Copy"/> alone (a push without -o or a layout): OutputPath then only names it.</summary>
    public bool WritesFile { get; init; } = true;

    /// <summary>The lazy-pull formats' content cache the command's layers share (<see cref="ParallelDiff.Actors.ExportOptions.Frames"/>).</summary>
    public Core.Layers.LazyPull.FrameCache? Frames { get; init; }

    /// <summary>Whether the destination holds this blob already (<see cref="ParallelDiff.Actors.ExportOptions.HoldsBlob"/>); null writes every blob.</summary>
    public Func<Core.Layers.LazyPull.KnownBlob, bool>? HoldsBlob { get; init; }

    /// <summary>Warnings, such as the overlay differ giving way to the walking differ.</summary>
    public Action<string> Warn { get; init; } = _ => { };
}
