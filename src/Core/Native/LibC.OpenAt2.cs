namespace ParallelDiff.Core.Native;

/// <summary>openat2(2) with its open_how filled in: every confined open of the differ and the applier.</summary>
internal static unsafe partial class LibC
{
    /// <summary>The descriptor, or -1 with the errno for Marshal.GetLastPInvokeError.</summary>
    public static long OpenAt2(int dirFd, ReadOnlySpan<byte> path, ulong flags, ulong resolve)
    {
        var how = new OpenHow { Flags = flags, Resolve = resolve };
        using var c = new CPath(path);
        return Syscall4(SysOpenat2, dirFd, (long)c.Pointer, (long)&how, sizeof(OpenHow));
    }
}
