using System.Text;
using System.Text.Unicode;

namespace ParallelDiff.Core.Fs;

/// <summary>
/// Bytes that are not UTF-8 carried through a .NET string and back unchanged, as Python's
/// surrogateescape does: each byte of an invalid sequence becomes the lone surrogate U+DC00+byte
/// (U+DC80..U+DCFF), which valid UTF-8 never decodes to. Linux paths are bytes; a command line
/// naming one that is not UTF-8 must reach the file system as given, not as U+FFFD.
/// </summary>
public static class EscapedBytes
{
    private const char First = '\uDC80';
    private const char Last = '\uDCFF';

    /// <summary>The bytes as text: UTF-8 decoded, every byte of an invalid sequence escaped.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        if (Utf8.IsValid(bytes))
        {
            return Encoding.UTF8.GetString(bytes);
        }

        var text = new StringBuilder(bytes.Length);
        Span<char> chars = stackalloc char[2];
        while (!bytes.IsEmpty)
        {
            var status = System.Text.Rune.DecodeFromUtf8(bytes, out var rune, out var consumed);
            if (status == System.Buffers.OperationStatus.Done)
            {
                text.Append(chars[..rune.EncodeToUtf16(chars)]);
            }
            else
            {
                for (var i = 0; i < consumed; i++)
                {
                    text.Append((char)(0xDC00 + bytes[i]));
                }
            }

            bytes = bytes[consumed..];
        }

        return text.ToString();
    }

    /// <summary>The text as bytes: UTF-8, with escaped bytes given back as they were.</summary>
    public static byte[] Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!HasEscapes(text))
        {
            return Encoding.UTF8.GetBytes(text);
        }

        var bytes = new List<byte>(text.Length + 8);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is >= First and <= Last)
            {
                bytes.Add((byte)(c - 0xDC00));
            }
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                var n = new Rune(c, text[++i]).EncodeToUtf8(utf8);
                bytes.AddRange(utf8[..n]);
            }
            else
            {
                var n = (Rune.TryCreate(c, out var rune) ? rune : Rune.ReplacementChar).EncodeToUtf8(utf8);
                bytes.AddRange(utf8[..n]);
            }
        }

        return [.. bytes];
    }

    /// <summary>Whether the text carries bytes that were not UTF-8 (and so cannot go through .NET's file APIs as they are).</summary>
    public static bool HasEscapes(string text) => text.AsSpan().IndexOfAnyInRange(First, Last) >= 0;
}
