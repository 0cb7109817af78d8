using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ParallelDiff.Core.Tests.Vectors;

/// <summary>
/// The bytes of a regular file, from a vector's content spec: text, base64, repeat / repeat_b64,
/// mostly_zero (dense: zeros written out) or sparse (holes: only the extents hold data).
/// </summary>
public sealed class VectorContent
{
    private readonly byte[]? _dense;

    private VectorContent(long size, byte[]? dense, IReadOnlyList<ContentExtent> extents)
    {
        Size = size;
        _dense = dense;
        Extents = extents;
    }

    public long Size { get; }

    /// <summary>A file with holes: create it with ftruncate to <see cref="Size"/>, then write each extent.</summary>
    public bool IsSparse => _dense is null;

    /// <summary>The data extents of a sparse file (empty for a dense one).</summary>
    public IReadOnlyList<ContentExtent> Extents { get; }

    public static VectorContent Parse(JsonElement spec)
    {
        if (spec.TryGetProperty("sparse", out var sparse))
        {
            var extents = sparse.GetProperty("extents").EnumerateArray()
                .Select(e => new ContentExtent(e.GetProperty("offset").GetInt64(), DenseBytes(e.GetProperty("content"))))
                .ToList();
            return new VectorContent(sparse.GetProperty("size").GetInt64(), null, extents);
        }

        var bytes = DenseBytes(spec);
        return new VectorContent(bytes.LongLength, bytes, []);
    }

    /// <summary>The file's logical bytes (holes read as zeros).</summary>
    public byte[] ToBytes()
    {
        if (_dense is not null)
        {
            return _dense;
        }

        var bytes = new byte[checked((int)Size)];
        foreach (var extent in Extents)
        {
            extent.Data.CopyTo(bytes, extent.Offset);
        }

        return bytes;
    }

    public string Sha256Hex() => Convert.ToHexStringLower(SHA256.HashData(ToBytes()));

    private static byte[] DenseBytes(JsonElement spec)
    {
        if (spec.TryGetProperty("text", out var text))
        {
            return Encoding.UTF8.GetBytes(text.GetString()!);
        }

        if (spec.TryGetProperty("base64", out var b64))
        {
            return Convert.FromBase64String(b64.GetString()!);
        }

        if (spec.TryGetProperty("repeat", out var repeat))
        {
            return Repeat(Encoding.UTF8.GetBytes(repeat.GetString()!), spec.GetProperty("size").GetInt64());
        }

        if (spec.TryGetProperty("repeat_b64", out var repeatB64))
        {
            return Repeat(Convert.FromBase64String(repeatB64.GetString()!), spec.GetProperty("size").GetInt64());
        }

        if (spec.TryGetProperty("mostly_zero", out var mostlyZero))
        {
            var bytes = new byte[checked((int)mostlyZero.GetProperty("size").GetInt64())];
            foreach (var segment in mostlyZero.GetProperty("segments").EnumerateArray())
            {
                DenseBytes(segment.GetProperty("content")).CopyTo(bytes, segment.GetProperty("offset").GetInt64());
            }

            return bytes;
        }

        throw new FormatException("unknown content spec: " + spec.GetRawText());
    }

    private static byte[] Repeat(byte[] pattern, long size)
    {
        if (pattern.Length == 0)
        {
            throw new FormatException("empty repeat pattern");
        }

        var bytes = new byte[checked((int)size)];
        for (var offset = 0; offset < bytes.Length; offset += pattern.Length)
        {
            pattern.AsSpan(0, Math.Min(pattern.Length, bytes.Length - offset)).CopyTo(bytes.AsSpan(offset));
        }

        return bytes;
    }
}
