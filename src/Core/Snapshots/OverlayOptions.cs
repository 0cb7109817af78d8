namespace ParallelDiff.Core.Snapshots;

/// <summary>
/// The overlay mount options that change what the layers mean (kernel overlayfs.rst; spec §7).
/// </summary>
public sealed record OverlayOptions
{
    /// <summary>userxattr: the overlay's own xattrs live in user.overlay.* instead of trusted.overlay.*.</summary>
    public bool UserXattr { get; init; }

    /// <summary>Follow overlay.redirect on directories (redirect_dir=on|follow; userxattr forces nofollow).</summary>
    public bool RedirectFollow { get; init; } = true;

    /// <summary>Take the data of an overlay.metacopy file from the layer below (metacopy=on; userxattr forces off).</summary>
    public bool Metacopy { get; init; } = true;

    public static OverlayOptions Default { get; } = new();

    /// <summary>The options of a userxattr mount: redirects are not followed and metacopy is off.</summary>
    public static OverlayOptions ForUserXattr { get; } = new() { UserXattr = true, RedirectFollow = false, Metacopy = false };

    /// <summary>"trusted.overlay." or "user.overlay.": the one namespace this mount honours (moby/buildkit#2720).</summary>
    public string XattrPrefix => UserXattr ? "user.overlay." : "trusted.overlay.";

    public string OpaqueXattr => XattrPrefix + "opaque";

    public string RedirectXattr => XattrPrefix + "redirect";

    public string MetacopyXattr => XattrPrefix + "metacopy";

    public string WhiteoutXattr => XattrPrefix + "whiteout";

    /// <summary>
    /// Whether a regular file could be a metacopy file, so that its overlay.metacopy xattr is worth
    /// reading. A metacopy file holds no data, but ext4 charges it one block (8 sectors) when its
    /// xattrs do not fit in the inode; a file with more allocated is certainly full.
    /// </summary>
    public static bool MayBeMetacopy(in Fs.FileStatus status) =>
        status.Kind == Fs.FileKind.Regular && status.Size > 0 && status.Blocks <= 8;

    /// <summary>The overlay's private attributes, in either namespace: never exported (moby/moby#47962).</summary>
    public static bool IsOverlayPrivate(string xattr) =>
        xattr.StartsWith("trusted.overlay.", StringComparison.Ordinal) || xattr.StartsWith("user.overlay.", StringComparison.Ordinal);
}
