using System.IO.Compression;
using System.Text.Json;

namespace ParallelDiff.Core.Export;

public sealed partial class ConsultedLowers
{
    /// <summary>
    /// Writes {"digest", "lowers": [{"root", "paths"}]}: the root base64, the paths as one base64
    /// string of their bytes each ended by a NUL (which no name holds), deflated. A lower's sorted
    /// paths share long prefixes, so a record stays a few bytes a path however many there are.
    /// </summary>
    public void WriteTo(Utf8JsonWriter json)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject();
        json.WriteString("digest", Digest);
        json.WriteStartArray("lowers");
        foreach (var lower in Lowers)
        {
            json.WriteStartObject();
            json.WriteBase64String("root", lower.Root);
            json.WriteBase64String("paths", Pack(lower.Paths));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <exception cref="InvalidDataException">Not a consulted-paths object (a torn or foreign record).</exception>
    public static ConsultedLowers FromJson(JsonElement element)
    {
        try
        {
            var lowers = element.GetProperty("lowers").EnumerateArray()
                .Select(l => new ConsultedLower(l.GetProperty("root").GetBytesFromBase64(), Unpack(l.GetProperty("paths").GetBytesFromBase64())))
                .ToList();
            return new ConsultedLowers(lowers, element.GetProperty("digest").GetString() ?? throw new InvalidDataException("no digest"));
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new InvalidDataException($"not a list of consulted lower paths ({e.Message})", e);
        }
    }

    private static byte[] Pack(IReadOnlyList<byte[]> paths)
    {
        using var packed = new MemoryStream();
        using (var deflate = new DeflateStream(packed, CompressionLevel.Fastest, leaveOpen: true))
        {
            foreach (var path in paths)
            {
                deflate.Write(path);
                deflate.WriteByte(0);
            }
        }

        return packed.ToArray();
    }

    private static List<byte[]> Unpack(byte[] packed)
    {
        using var plain = new MemoryStream();
        using (var deflate = new DeflateStream(new MemoryStream(packed), CompressionMode.Decompress))
        {
            deflate.CopyTo(plain);
        }

        var bytes = plain.GetBuffer().AsSpan(0, (int)plain.Length);
        if (bytes.Length > 0 && bytes[^1] != 0)
        {
            throw new InvalidDataException("consulted paths: the last path is not ended");
        }

        var paths = new List<byte[]>();
        while (!bytes.IsEmpty)
        {
            var end = bytes.IndexOf((byte)0);
            paths.Add(bytes[..end].ToArray());
            bytes = bytes[(end + 1)..];
        }

        return paths;
    }
}
