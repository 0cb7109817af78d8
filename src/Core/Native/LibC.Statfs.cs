using System.Runtime.InteropServices;

namespace ParallelDiff.Core.Native;

/// <summary>statfs(2), for the one field read from it: the file system's type.</summary>
internal static unsafe partial class LibC
{
    /// <summary>ext2, ext3 and ext4 (linux/magic.h).</summary>
    public const long EXT4_SUPER_MAGIC = 0xEF53;

    public const long XFS_SUPER_MAGIC = 0x58465342;

    public const long TMPFS_MAGIC = 0x01021994;

    public const long BTRFS_SUPER_MAGIC = 0x9123683EL;

    /// <summary>struct statfs is 120 bytes on x86-64 and arm64; f_type, a long, comes first.</summary>
    public const int StatfsSize = 120;

    [LibraryImport(Lib, EntryPoint = "statfs", SetLastError = true)]
    public static partial int Statfs(byte* path, byte* buffer);
}
