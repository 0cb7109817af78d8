namespace ParallelDiff.Core.Sources;

/// <summary>
/// The effective redirect_dir mode of an overlay mount (kernel overlayfs.rst, "Redirect dir").
/// "off" is not a mode of its own: the kernel turns it into Follow or NoFollow according to the
/// redirect_always_follow module parameter (params.c, Opt_redirect_dir).
/// </summary>
public enum OverlayRedirectMode : byte
{
    /// <summary>Redirects are created on rename and followed on lookup.</summary>
    On,

    /// <summary>Redirects are followed but never created.</summary>
    Follow,

    /// <summary>Redirects are neither created nor followed.</summary>
    NoFollow,
}
