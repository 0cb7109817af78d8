namespace ParallelDiff.Core.Fs;

/// <summary>
/// The result of an lstat: what a differ compares and what a tar header carries.
/// Mode holds only the permission bits plus setuid/setgid/sticky (07777); the type is in Kind.
/// </summary>
public readonly record struct FileStatus(
    FileKind Kind,
    int Mode,
    long Uid,
    long Gid,
    long Size,
    long MtimeSeconds,
    int MtimeNanoseconds,
    ulong Inode,
    ulong Device,
    ulong LinkCount,
    uint RdevMajor,
    uint RdevMinor,
    long Blocks)
{
    /// <summary>
    /// The inode's change time (statx stx_ctime): moved by the kernel on every write, chmod, chown,
    /// xattr change and link, and never settable by a user; what says a tree was not touched.
    /// </summary>
    public long CtimeSeconds { get; init; }

    public int CtimeNanoseconds { get; init; }

    /// <summary>overlayfs whiteout: a character device with device number 0/0 (kernel overlayfs.rst).</summary>
    public bool IsWhiteout => Kind == FileKind.CharDevice && RdevMajor == 0 && RdevMinor == 0;

    public bool IsDirectory => Kind == FileKind.Directory;

    /// <summary>continuity's isLinked: a non-directory with more than one name.</summary>
    public bool IsHardLinked => Kind != FileKind.Directory && LinkCount > 1;
}
