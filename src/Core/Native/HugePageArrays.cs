namespace ParallelDiff.Core.Native;

/// <summary>
/// Large byte arrays kept for a whole command (the frame cache's slabs), backed by 2 MiB pages
/// where the kernel gives them on request. On the VM these numbers come from, the first touch of
/// a 4 KiB page costs ~11 µs, in the process and again the first time the kernel copies from it
/// (a write(2) of it): filling 256 MiB of slabs was ~65,000 page faults, half of an uncached
/// layer's, and writing those frames out again cost ten times a write of the same bytes from a
/// buffer in use. One fault per 2 MiB takes most of that away (BENCHMARKS.md, 2026-12-06 15:40–16:50).
/// </summary>
internal static unsafe class HugePageArrays
{
    private const nuint HugePage = 2 * 1024 * 1024;

    /// <summary>
    /// A pinned array whose bytes are not cleared (every byte given out is written before it is
    /// read), with the 2 MiB pages that lie wholly inside it advised as huge. The advice is only
    /// advice: where transparent huge pages are off, or the pages were touched before, it changes
    /// nothing, and the array is the same either way.
    /// </summary>
    public static byte[] Allocate(int length)
    {
        // Pinned: the advice is about addresses, so the array must never move.
        var array = GC.AllocateUninitializedArray<byte>(length, pinned: true);
        fixed (byte* bytes = array)
        {
            var start = ((nuint)bytes + HugePage - 1) & ~(HugePage - 1);
            var end = ((nuint)bytes + (nuint)length) & ~(HugePage - 1);
            if (end > start)
            {
                // A refusal (EINVAL without THP) is not an error: the pages are small, as before.
                _ = LibC.Madvise((void*)start, end - start, LibC.MADV_HUGEPAGE);
            }
        }

        return array;
    }
}
