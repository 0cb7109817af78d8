namespace ParallelDiff.Core.Apply;

/// <summary>How <see cref="LayerApplier"/> treats ownership and device nodes.</summary>
public sealed class ApplyOptions
{
    public static ApplyOptions Default { get; } = new();

    /// <summary>Do not lchown entries to the archive's uid/gid (containerd WithNoSameOwner); for unprivileged use.</summary>
    public bool NoSameOwner { get; init; }

    /// <summary>
    /// Skip character and block devices instead of failing on mknod, as containerd does inside a
    /// user namespace (pkg/archive tar.go skipFile).
    /// </summary>
    public bool SkipDeviceNodes { get; init; }

    /// <summary>
    /// Set mtimes exactly, before 1970 and after 2262 included. Off by default: containerd turns
    /// such times into 1970 (boundTime), and the default applier follows containerd.
    /// </summary>
    public bool ExactTimes { get; init; }

    /// <summary>
    /// Leave out the entries an eStargz layer adds about itself at its root: the TOC
    /// (stargz.index.json) and the prefetch landmarks (.prefetch.landmark, .no.prefetch.landmark),
    /// which are not files of the snapshot; stargz-snapshotter does not show them either.
    /// </summary>
    public bool SkipEstargzMetadata { get; init; }
}
