namespace ParallelDiff.Core.Tests.Support;

/// <summary>
/// The entry types of the vector JSON files (snapshot.json and merged.json). <see cref="Hardlink"/>
/// appears only in snapshot.json layer listings; a merged view or a captured tree never has it,
/// because there every name carries its own metadata and shared inodes show as a link group.
/// </summary>
public enum TreeEntryType
{
    Directory,
    File,
    Symlink,
    Hardlink,
    Fifo,
    CharDevice,
    BlockDevice,
    Socket,

    /// <summary>An overlayfs whiteout: a character device 0/0.</summary>
    Whiteout,
}
