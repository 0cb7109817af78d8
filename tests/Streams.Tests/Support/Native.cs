using System.Runtime.InteropServices;

namespace ParallelDiff.Streams.Tests.Support;

/// <summary>link(2), which .NET has no API for.</summary>
internal static partial class Native
{
    public static void HardLink(string existing, string newName)
    {
        if (Link(existing, newName) != 0)
        {
            throw new IOException($"link {existing} {newName}: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string oldPath, string newPath);
}
