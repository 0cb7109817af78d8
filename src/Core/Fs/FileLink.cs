using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Fs;

/// <summary>
/// link(2) for files whose bytes never change once named (blobs): a second name costs nothing,
/// where a copy costs a read and a write of the whole file.
/// </summary>
internal static class FileLink
{
    /// <summary>
    /// Gives <paramref name="from"/> the further name <paramref name="to"/>; false when it cannot
    /// (another file system, a file system without hard links, a name taken), and the caller copies.
    /// </summary>
    public static bool TryLink(string from, string to) => TryLink(from, to, out _);

    /// <summary>As <see cref="TryLink(string, string)"/>, with the errno of a failure (EEXIST: the name is taken).</summary>
    public static unsafe bool TryLink(string from, string to, out int errno)
    {
        // Both paths on the stack: a warm --cache export links three blobs a snapshot.
        var fromBytes = CString.FitsStack(from) ? stackalloc byte[CString.StackBytes] : CString.Array(from);
        var toBytes = CString.FitsStack(to) ? stackalloc byte[CString.StackBytes] : CString.Array(to);
        CString.Encode(from, fromBytes);
        CString.Encode(to, toBytes);
        bool linked;
        fixed (byte* f = fromBytes, t = toBytes)
        {
            linked = LibC.LinkAt(LibC.AT_FDCWD, f, LibC.AT_FDCWD, t, 0) == 0;
        }

        errno = linked ? 0 : System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
        return linked;
    }

    /// <summary>A link when one can be made, else a copy (which a file system with reflinks makes cheaply too).</summary>
    public static void LinkOrCopy(string from, string to)
    {
        if (!TryLink(from, to))
        {
            File.Copy(from, to);
        }
    }
}
