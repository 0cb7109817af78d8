namespace ParallelDiff.Core.Layers;

/// <summary>
/// Where a layer blob's bytes go while it is written: a file that appears whole or not at all
/// (<see cref="AtomicOutputFile"/>), a registry upload, or both (<see cref="BlobTargets.Both"/>).
/// Written in order from one thread; <see cref="Commit"/> after the last byte makes the blob final
/// there; disposing without it discards what was written.
/// </summary>
public interface IBlobTarget : IDisposable
{
    /// <summary>The blob's destination for messages: a path, or a registry reference.</summary>
    string Name { get; }

    /// <summary>Where to write.</summary>
    Stream Stream { get; }

    /// <summary>Every byte written is at the destination; only then may anything name the blob there.</summary>
    void Commit();
}
