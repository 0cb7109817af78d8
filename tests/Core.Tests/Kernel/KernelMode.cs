using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Core.Tests.Kernel;

/// <summary>The four ways the kernel is asked to record a snapshot in its upper layer.</summary>
public enum KernelMode
{
    /// <summary>Kernel defaults plus index=off: on this kernel redirect_dir=off, so renaming a lower directory is EXDEV.</summary>
    Default,

    /// <summary>redirect_dir=on: renaming a lower directory leaves an overlay.redirect xattr.</summary>
    RedirectDir,

    /// <summary>metacopy=on (implies redirect_dir=on): chmod/chown/setxattr copy up metadata only.</summary>
    Metacopy,

    /// <summary>userxattr: the overlay's xattrs are user.overlay.*; redirects and metacopy are forced off.</summary>
    UserXattr,
}

/// <summary>The mount options and export options that belong to a <see cref="KernelMode"/>.</summary>
public static class KernelModes
{
    /// <summary>Options of the read-write mount the operations run through (index=off is added for all).</summary>
    public static IReadOnlyList<string> ReadWriteOptions(KernelMode mode) => mode switch
    {
        KernelMode.Default => [],
        KernelMode.RedirectDir => ["redirect_dir=on"],
        KernelMode.Metacopy => ["metacopy=on"],
        KernelMode.UserXattr => ["userxattr"],
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };

    /// <summary>
    /// Options of a read-only mount of layers written in this mode: the truth (upper as the top
    /// lower) and the flattened base. A read-only mount cannot write redirects, so "follow" reads them.
    /// </summary>
    public static IReadOnlyList<string> ReadOnlyOptions(KernelMode mode) => mode switch
    {
        KernelMode.Default => [],
        KernelMode.RedirectDir => ["redirect_dir=follow"],
        KernelMode.Metacopy => ["metacopy=on", "redirect_dir=follow"],
        KernelMode.UserXattr => ["userxattr"],
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };

    /// <summary>How our exporter reads the same layers (Default follows redirects and metacopy).</summary>
    public static OverlayOptions Overlay(KernelMode mode) =>
        mode == KernelMode.UserXattr ? OverlayOptions.ForUserXattr : OverlayOptions.Default;

    /// <summary>The opaque xattr a layer built directly on disk must carry to be read as opaque by this mount.</summary>
    public static string OpaqueXattr(KernelMode mode) => Overlay(mode).OpaqueXattr;
}
