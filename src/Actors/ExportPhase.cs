namespace ParallelDiff.Actors;

/// <summary>Where an export is, for <see cref="LayerProgress"/>.</summary>
public enum ExportPhase
{
    /// <summary>A small upper: written on the calling thread by the sequential exporter.</summary>
    Sequential,

    /// <summary>The sharded walk is running; shard counts grow as directories are found.</summary>
    Walking,

    /// <summary>The overlay differ failed on an overlay inconsistency; the walking differ starts over.</summary>
    FallingBack,

    /// <summary>The blob is written and renamed into place.</summary>
    Completed,
}
