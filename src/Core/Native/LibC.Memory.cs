using System.Runtime.InteropServices;

namespace ParallelDiff.Core.Native;

/// <summary>madvise(2), for asking the kernel how to back memory we keep long.</summary>
internal static unsafe partial class LibC
{
    /// <summary>Back the range with transparent huge pages where the system allows it on request ("madvise" mode).</summary>
    public const int MADV_HUGEPAGE = 14;

    [LibraryImport(Lib, EntryPoint = "madvise", SetLastError = true)]
    public static partial int Madvise(void* address, nuint length, int advice);
}
