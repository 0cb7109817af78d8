namespace ParallelDiff.Core.Apply;

/// <summary>What applying one layer did.</summary>
public sealed class ApplyResult
{
    /// <summary>Entries that changed the tree: files, dirs, links, devices, and whiteouts.</summary>
    public long EntriesApplied { get; init; }

    /// <summary>The whiteouts among <see cref="EntriesApplied"/> (".wh.x" removals and opaque markers).</summary>
    public long WhiteoutsApplied { get; init; }

    /// <summary>Entries left alone: ones that name the root itself, and skipped device nodes.</summary>
    public long EntriesIgnored { get; init; }

    /// <summary>The sum of the entries' data sizes, the number containerd's Apply returns.</summary>
    public long Bytes { get; init; }

    /// <summary>Things refused without failing: trusted.* xattrs, xattrs the file system does not support.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
