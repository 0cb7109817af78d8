namespace ParallelDiff.Core.Fs;

/// <summary>The file types a Linux directory entry can have (st_mode &amp; S_IFMT).</summary>
public enum FileKind : byte
{
    Regular,
    Directory,
    Symlink,
    CharDevice,
    BlockDevice,
    Fifo,
    Socket,
}
