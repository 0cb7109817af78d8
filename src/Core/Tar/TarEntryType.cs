namespace ParallelDiff.Core.Tar;

/// <summary>The typeflag byte of a tar header (POSIX ustar, tar(5)).</summary>
public enum TarEntryType : byte
{
    Regular = (byte)'0',
    HardLink = (byte)'1',
    Symlink = (byte)'2',
    CharDevice = (byte)'3',
    BlockDevice = (byte)'4',
    Directory = (byte)'5',
    Fifo = (byte)'6',
    PaxExtended = (byte)'x',
    PaxGlobal = (byte)'g',
}
