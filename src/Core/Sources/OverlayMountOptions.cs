using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Core.Sources;

/// <summary>
/// An overlay mount as the kernel understands its options: the layers, and the effective feature
/// settings after the kernel's defaults and dependency rules (fs/overlayfs/params.c; spec §7.1).
/// <see cref="Parse(string, OverlayModuleDefaults?)"/> refuses what the kernel would refuse;
/// <see cref="ToSnapshot"/> further refuses what an upperdir diff cannot honour.
/// </summary>
public sealed partial record OverlayMountOptions
{
    /// <summary>The options as given (one option each, backslash escapes kept), for messages and the BuildKit check.</summary>
    public required IReadOnlyList<string> Options { get; init; }

    /// <summary>The unescaped upperdir, or null for a read-only overlay.</summary>
    public string? UpperDir { get; init; }

    /// <summary>The unescaped workdir; null when there is no upperdir (the kernel ignores it then).</summary>
    public string? WorkDir { get; init; }

    /// <summary>The lower layers, top first; data-only layers (after "::", or datadir+) come last.</summary>
    public required IReadOnlyList<OverlayLayer> Lowers { get; init; }

    public OverlayRedirectMode RedirectMode { get; init; }

    /// <summary>index=on, whether given, implied by nfs_export, or the module default.</summary>
    public bool Index { get; init; }

    public bool Metacopy { get; init; }

    public bool NfsExport { get; init; }

    public bool UserXattr { get; init; }

    /// <summary>volatile (or fsync=volatile): the upper is never synced; after a crash the kernel refuses to mount it again.</summary>
    public bool Volatile { get; init; }

    /// <summary>Why <see cref="Index"/> is on, for the error that refuses it; null when it is off.</summary>
    public string? IndexSource { get; init; }

    /// <summary>The settings the differ needs: which xattr namespace, whether redirects and metacopy are honoured.</summary>
    public OverlayOptions Overlay => new()
    {
        UserXattr = UserXattr,
        RedirectFollow = RedirectMode != OverlayRedirectMode.NoFollow,
        Metacopy = Metacopy,
    };

    /// <summary>
    /// Null when BuildKit's overlay differ would take these options as they are; otherwise why it
    /// would not (it then uses its walking differ), for --differ auto messages.
    /// </summary>
    public string? BuildKitCompatibility => BuildKitOverlayCompatibility.Check(Options);

    /// <summary>
    /// The snapshot to diff: the upperdir over the lowers, with the effective overlay settings.
    /// </summary>
    /// <exception cref="SnapshotException">The mount has no upperdir, or index is on; the message says why that cannot be diffed.</exception>
    public Snapshot ToSnapshot()
    {
        if (UpperDir is null)
        {
            throw new SnapshotException($"overlay options \"{string.Join(',', Options)}\": no upperdir, so there is no upper layer to diff (a read-only overlay of lowers only)");
        }

        if (Index)
        {
            // overlayfs.rst "Index": with index on, a copy-up of one name of a hard-linked lower file
            // makes every other name show the new inode through the index, although those names never
            // appear in the upperdir; an upperdir diff would silently miss their change.
            throw new SnapshotException(
                $"overlay options \"{string.Join(',', Options)}\": index=on ({IndexSource}): hard links copied up through the index change "
                + "under names that never appear in the upperdir, so an upperdir diff would miss them; mount with index=off (as containerd does) or diff two trees");
        }

        return new Snapshot { Upper = UpperDir, Lowers = Lowers, Overlay = Overlay };
    }
}
