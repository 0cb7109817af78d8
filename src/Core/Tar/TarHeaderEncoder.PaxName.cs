using System.Buffers;

namespace ParallelDiff.Core.Tar;

/// <summary>The name of a PAX 'x' block: "PaxHeaders.0" slotted in before the entry's base name.</summary>
public static partial class TarHeaderEncoder
{
    private static ReadOnlySpan<byte> PaxHeadersDir => "PaxHeaders.0"u8;

    /// <summary>Names up to this length are joined on the stack; longer ones in a pooled array.</summary>
    private const int StackJoinLimit = 512;

    /// <summary>
    /// Go writePAXHeader + writeRawFile: path.Join(dir, "PaxHeaders.0", base) of the original
    /// name (so "usr/bin/" gives "usr/bin/PaxHeaders.0" and "a" gives "PaxHeaders.0/a"), then
    /// toASCII, cut to 100 bytes, and trailing '/' trimmed. The field was cleared by the caller.
    /// </summary>
    private static void WritePaxHeaderName(Span<byte> field, ReadOnlySpan<byte> entryName)
    {
        var lastSlash = entryName.LastIndexOf((byte)'/');
        var dir = entryName[..(lastSlash + 1)];
        var baseName = entryName[(lastSlash + 1)..];

        var joinedLength = dir.Length + 1 + PaxHeadersDir.Length + 1 + baseName.Length;
        byte[]? rented = null;
        Span<byte> joined = joinedLength <= StackJoinLimit
            ? stackalloc byte[StackJoinLimit]
            : (rented = ArrayPool<byte>.Shared.Rent(joinedLength));
        try
        {
            // path.Join skips empty elements and puts one '/' between the rest; Clean folds the
            // doubled '/' after dir.
            var at = 0;
            if (!dir.IsEmpty)
            {
                dir.CopyTo(joined);
                at = dir.Length;
                joined[at++] = (byte)'/';
            }

            PaxHeadersDir.CopyTo(joined[at..]);
            at += PaxHeadersDir.Length;
            if (!baseName.IsEmpty)
            {
                joined[at++] = (byte)'/';
                baseName.CopyTo(joined[at..]);
                at += baseName.Length;
            }

            var cleaned = joined[..CleanPath(joined[..at])];

            var written = Math.Min(CopyToAscii(field, cleaned), field.Length);
            while (written > 0 && field[written - 1] == (byte)'/')
            {
                field[--written] = 0;
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Go path.Clean, in place, lexically: one '/' between elements, "." elements dropped,
    /// "x/.." folded, ".." kept at the start of a relative path and dropped at the root, no
    /// trailing '/'. Returns the new length ("." for an empty result).
    /// </summary>
    private static int CleanPath(Span<byte> path)
    {
        var rooted = !path.IsEmpty && path[0] == (byte)'/';
        var start = rooted ? 1 : 0;

        // Output is written over input: it never grows past what has been read.
        var write = start;
        var floor = start; // output before floor is the root or leading ".." that cannot fold
        var read = start;
        while (read < path.Length)
        {
            if (path[read] == (byte)'/')
            {
                read++;
                continue;
            }

            var end = path[read..].IndexOf((byte)'/');
            end = end < 0 ? path.Length : read + end;
            var element = path[read..end];

            if (element.SequenceEqual("."u8))
            {
                // dropped
            }
            else if (element.SequenceEqual(".."u8))
            {
                if (write > floor)
                {
                    write--;
                    while (write > floor && path[write] != (byte)'/')
                    {
                        write--;
                    }
                }
                else if (!rooted)
                {
                    write = Append(path, write, start, ".."u8);
                    floor = write;
                }
            }
            else
            {
                write = Append(path, write, start, element);
            }

            read = end;
        }

        if (write == 0)
        {
            path[0] = (byte)'.';
            return 1;
        }

        return write;

        static int Append(Span<byte> path, int write, int start, ReadOnlySpan<byte> element)
        {
            if (write != start)
            {
                path[write++] = (byte)'/';
            }

            element.CopyTo(path[write..]);
            return write + element.Length;
        }
    }
}
