using System.Text;

namespace ParallelDiff.Core.Fs;

/// <summary>
/// Linux paths are bytes. These helpers join, order and print them without ever passing a name
/// through a lossy string conversion.
/// </summary>
public static class PathBytes
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    /// <summary>"a/b" + "c" = "a/b/c"; the empty path is the root.</summary>
    public static byte[] Join(ReadOnlySpan<byte> parent, ReadOnlySpan<byte> name)
    {
        if (parent.IsEmpty)
        {
            return name.ToArray();
        }

        var result = new byte[parent.Length + 1 + name.Length];
        parent.CopyTo(result);
        result[parent.Length] = (byte)'/';
        name.CopyTo(result.AsSpan(parent.Length + 1));
        return result;
    }

    /// <summary>An absolute path: root + "/" + relative (root alone when relative is empty).</summary>
    public static byte[] Under(ReadOnlySpan<byte> root, ReadOnlySpan<byte> relative)
    {
        if (relative.IsEmpty)
        {
            return root.ToArray();
        }

        return Join(root, relative);
    }

    /// <summary>A path from the command line as bytes, escaped non-UTF-8 bytes given back (<see cref="EscapedBytes"/>).</summary>
    public static byte[] FromString(string path) => EscapedBytes.Encode(path);

    /// <summary>The last component of a relative path.</summary>
    public static ReadOnlySpan<byte> BaseName(ReadOnlySpan<byte> path)
    {
        var i = path.LastIndexOf((byte)'/');
        return i < 0 ? path : path[(i + 1)..];
    }

    /// <summary>The parent of a relative path ("" for a top-level name).</summary>
    public static ReadOnlySpan<byte> Parent(ReadOnlySpan<byte> path)
    {
        var i = path.LastIndexOf((byte)'/');
        return i < 0 ? ReadOnlySpan<byte>.Empty : path[..i];
    }

    /// <summary>Byte-wise order of names, as Go's sort.Strings.</summary>
    public static int CompareNames(byte[]? a, byte[]? b) => a.AsSpan().SequenceCompareTo(b);

    public static readonly Comparison<byte[]> NameOrder = CompareNames;

    /// <summary>
    /// continuity's directoryCompare (fs/path.go): full paths compared byte-wise with '/' taken
    /// as 0x00, so that "a/b" sorts before "a-b" exactly as a pre-order walk emits them.
    /// </summary>
    public static int ComparePaths(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            var x = a[i] == (byte)'/' ? 0 : a[i];
            var y = b[i] == (byte)'/' ? 0 : b[i];
            if (x != y)
            {
                return x - y;
            }
        }

        return a.Length - b.Length;
    }

    /// <summary>A printable form for messages: UTF-8 as is, other bytes as \xNN.</summary>
    public static string Display(ReadOnlySpan<byte> path)
    {
        try
        {
            return StrictUtf8.GetString(path);
        }
        catch (DecoderFallbackException)
        {
            var sb = new StringBuilder(path.Length * 2);
            foreach (var b in path)
            {
                if (b is >= 0x20 and < 0x7f && b != (byte)'\\')
                {
                    sb.Append((char)b);
                }
                else
                {
                    sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\x{b:x2}");
                }
            }

            return sb.ToString();
        }
    }

    public static bool IsValidUtf8(ReadOnlySpan<byte> bytes) => System.Text.Unicode.Utf8.IsValid(bytes);
}
