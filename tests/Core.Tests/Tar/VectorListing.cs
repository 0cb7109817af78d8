using System.Text;
using System.Text.Json;
using ParallelDiff.Core.Tar;
using ParallelDiff.Core.Tests.Support;

namespace ParallelDiff.Core.Tests.Tar;

/// <summary>One entry of a golden tar as expected.json lists it, rebuilt as the encoder's input.</summary>
public sealed record ListedEntry(long Offset, TarHeader Header, string Format, string Display);

/// <summary>Reads the entry listings of tests/vectors/*/expected.json.</summary>
public static class VectorListing
{
    private const string XattrPrefix = "SCHILY.xattr.";

    /// <summary>
    /// The entries of expected-overlay.tar or expected-walking.tar. The walking tar is described
    /// by walking_entries when present, else by entries when both differs agree.
    /// </summary>
    public static IReadOnlyList<ListedEntry> For(string vector, string which)
    {
        using var doc = VectorData.Expected(vector);
        var root = doc.RootElement;
        JsonElement list;
        if (which == "walking" && root.TryGetProperty("walking_entries", out var walking))
        {
            list = walking;
        }
        else if (which == "overlay"
                 || (root.TryGetProperty("overlay_equals_walking", out var same) && same.ValueKind == JsonValueKind.True))
        {
            if (!root.TryGetProperty("entries", out list))
            {
                return [];
            }
        }
        else
        {
            throw new InvalidOperationException($"{vector}: no listing describes the {which} tar");
        }

        return list.EnumerateArray().Select(ToEntry).ToList();
    }

    private static ListedEntry ToEntry(JsonElement e)
    {
        var name = Bytes(e, "name");
        var xattrs = new List<KeyValuePair<string, byte[]>>();
        if (e.TryGetProperty("pax", out var pax))
        {
            foreach (var record in pax.EnumerateArray())
            {
                var key = record.GetProperty("key").GetString()!;
                if (key.StartsWith(XattrPrefix, StringComparison.Ordinal))
                {
                    xattrs.Add(new(key[XattrPrefix.Length..], Bytes(record, "value")));
                }
            }
        }

        var header = new TarHeader
        {
            Name = name,
            Type = (TarEntryType)(byte)e.GetProperty("type").GetString()![0],
            Mode = Convert.ToInt32(e.GetProperty("mode").GetString(), 8),
            Uid = e.GetProperty("uid").GetInt64(),
            Gid = e.GetProperty("gid").GetInt64(),
            Size = e.GetProperty("size").GetInt64(),
            MtimeSeconds = e.GetProperty("mtime").GetInt64(),
            LinkName = e.TryGetProperty("linkname", out _) || e.TryGetProperty("linkname_b64", out _) ? Bytes(e, "linkname") : [],
            DevMajor = e.TryGetProperty("devmajor", out var major) ? major.GetInt64() : 0,
            DevMinor = e.TryGetProperty("devminor", out var minor) ? minor.GetInt64() : 0,
            Xattrs = xattrs,
        };

        return new ListedEntry(
            e.GetProperty("offset").GetInt64(),
            header,
            e.GetProperty("format").GetString()!,
            Fs.PathBytes.Display(name));
    }

    /// <summary>A text field as UTF-8, or its "_b64" twin for bytes that are not valid UTF-8.</summary>
    private static byte[] Bytes(JsonElement e, string field)
    {
        if (e.TryGetProperty(field, out var text))
        {
            return Encoding.UTF8.GetBytes(text.GetString()!);
        }

        return Convert.FromBase64String(e.GetProperty(field + "_b64").GetString()!);
    }
}
