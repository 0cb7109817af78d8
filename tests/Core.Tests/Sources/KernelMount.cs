using System.Runtime.InteropServices;

namespace ParallelDiff.Core.Tests.Sources;

/// <summary>
/// mount(2) with a raw data string, the kernel's legacy option parser as the oracle. mount(8)
/// cannot serve: libmount splits and rewrites options itself before the kernel sees them.
/// </summary>
internal static partial class KernelMount
{
    /// <summary>Mounts an overlay; the errno when the kernel refuses (the reason is in the kernel log).</summary>
    public static int TryMountOverlay(string target, string data) =>
        Mount("overlay", target, "overlay", 0, data) == 0 ? 0 : Marshal.GetLastPInvokeError();

    public static void Unmount(string target)
    {
        // MNT_DETACH: a test that failed half-way must still be able to remove its directories.
        if (Umount2(target, 2) != 0)
        {
            throw new IOException($"umount {target}: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "mount", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Mount(string source, string target, string fsType, ulong flags, string data);

    [LibraryImport("libc", EntryPoint = "umount2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Umount2(string target, int flags);
}
