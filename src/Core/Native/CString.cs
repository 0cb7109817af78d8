using System.Text;

namespace ParallelDiff.Core.Native;

/// <summary>
/// A path string as the NUL-terminated UTF-8 a system call takes, written into a buffer the caller
/// chose: its stack for the usual path (<see cref="StackBytes"/>), a new array for a longer one. The
/// calls a warm --cache export makes for every snapshot (four opens, three links) each encoded
/// their paths into new arrays, pinned through the GC's handle table.
/// </summary>
internal static class CString
{
    /// <summary>What a caller puts on its stack: paths this long (in UTF-8) need no array.</summary>
    public const int StackBytes = 1024;

    /// <summary>Whether <paramref name="path"/> fits <see cref="StackBytes"/> bytes once encoded, with its NUL.</summary>
    public static bool FitsStack(string path) => Encoding.UTF8.GetMaxByteCount(path.Length) + 1 <= StackBytes;

    /// <summary>A buffer for <paramref name="path"/> when it does not fit the stack.</summary>
    public static byte[] Array(string path) => new byte[Encoding.UTF8.GetMaxByteCount(path.Length) + 1];

    /// <summary>Writes the path and its NUL into <paramref name="buffer"/> (sized as above); the bytes written, without the NUL.</summary>
    /// <exception cref="ArgumentException">The path holds a NUL character.</exception>
    public static int Encode(string path, Span<byte> buffer)
    {
        ArgumentNullException.ThrowIfNull(path);
        var length = Encoding.UTF8.GetBytes(path, buffer);
        if (buffer[..length].Contains((byte)0))
        {
            throw new ArgumentException("a path cannot contain a NUL byte", nameof(path));
        }

        buffer[length] = 0;
        return length;
    }
}
