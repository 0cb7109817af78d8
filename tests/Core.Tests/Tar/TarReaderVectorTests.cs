using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ParallelDiff.Core.Tar;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Tar;

/// <summary>
/// The reader against every golden layer: each entry's name, type, mode, owner, mtime, size,
/// link target, device numbers, offset, format, PAX records and data hash must match the
/// vector's expected.json, which was taken from real BuildKit/containerd output.
/// </summary>
public sealed class TarReaderVectorTests
{
    [Theory]
    [MemberData(nameof(VectorData.All), MemberType = typeof(VectorData))]
    public void Reader_should_read_every_vector_layer_as_expected_json_describes_it(string vector)
    {
        using var expected = VectorData.Expected(vector);
        foreach (var which in new[] { "overlay", "walking" })
        {
            var tar = VectorData.ExpectedTar(vector, which);
            if (tar is null)
            {
                Assert.NotEqual("ok", expected.RootElement.GetProperty(which).GetProperty("status").GetString());
                continue;
            }

            // expected.json lists the overlay layer's entries, and the walking layer's separately
            // ("walking_entries") when the two differ.
            var key = which == "walking" && expected.RootElement.TryGetProperty("walking_entries", out _) ? "walking_entries" : "entries";
            var entries = expected.RootElement.GetProperty(key).EnumerateArray().ToList();
            var reader = new TarReader(new MemoryStream(tar));
            foreach (var want in entries)
            {
                var entry = reader.Next();
                Assert.NotNull(entry);
                AssertEntry(want, entry, $"{vector}/{which}");
            }

            Assert.Null(reader.Next());
            Assert.Null(reader.Next());
        }
    }

    private static void AssertEntry(JsonElement want, TarReaderEntry entry, string where)
    {
        var h = entry.Header;
        var label = $"{where} @{want.GetProperty("offset").GetInt64()}";
        Assert.True(Bytes(want, "name").AsSpan().SequenceEqual(h.Name), label + " name");
        Assert.Equal(want.GetProperty("type").GetString()![0], (char)h.Type);
        Assert.Equal(Convert.ToInt32(want.GetProperty("mode").GetString(), 8), h.Mode);
        Assert.Equal(want.GetProperty("uid").GetInt64(), h.Uid);
        Assert.Equal(want.GetProperty("gid").GetInt64(), h.Gid);
        Assert.Equal(want.GetProperty("mtime").GetInt64(), h.MtimeSeconds);
        Assert.Equal(want.GetProperty("size").GetInt64(), h.Size);
        Assert.Equal(want.GetProperty("offset").GetInt64(), entry.Offset);
        var link = want.TryGetProperty("linkname", out _) || want.TryGetProperty("linkname_b64", out _) ? Bytes(want, "linkname") : [];
        Assert.True(link.AsSpan().SequenceEqual(h.LinkName), label + " linkname");
        Assert.Equal(want.TryGetProperty("devmajor", out var major) ? major.GetInt64() : 0, h.DevMajor);
        Assert.Equal(want.TryGetProperty("devminor", out var minor) ? minor.GetInt64() : 0, h.DevMinor);
        Assert.Equal(want.GetProperty("format").GetString(), entry.Format.ToString().ToLowerInvariant());

        var pax = want.TryGetProperty("pax", out var records) ? records.EnumerateArray().ToList() : [];
        Assert.Equal(pax.Count, entry.PaxRecords.Count);
        for (var i = 0; i < pax.Count; i++)
        {
            Assert.Equal(pax[i].GetProperty("key").GetString(), entry.PaxRecords[i].Key);
            Assert.True(Bytes(pax[i], "value").AsSpan().SequenceEqual(entry.PaxRecords[i].Value), label + " pax value");
        }

        var xattrs = pax.Where(r => r.GetProperty("key").GetString()!.StartsWith("SCHILY.xattr.", StringComparison.Ordinal)).ToList();
        Assert.Equal(xattrs.Count, h.Xattrs.Count);

        using var data = new MemoryStream();
        entry.Data.CopyTo(data);
        Assert.Equal(h.Size, data.Length);
        if (want.TryGetProperty("sha256", out var sha))
        {
            Assert.Equal(sha.GetString(), Convert.ToHexStringLower(SHA256.HashData(data.ToArray())));
        }
    }

    /// <summary>A text field, or its base64 form ("name_b64") for bytes that are not UTF-8.</summary>
    private static byte[] Bytes(JsonElement e, string field) =>
        e.TryGetProperty(field + "_b64", out var b64)
            ? Convert.FromBase64String(b64.GetString()!)
            : Encoding.UTF8.GetBytes(e.GetProperty(field).GetString()!);

    [Fact]
    public void Reader_should_cover_every_vector_with_a_layer()
    {
        var withTar = RepoPaths.VectorNames().Count(v => VectorData.ExpectedTar(v, "overlay") is not null);
        Assert.True(withTar >= 55, withTar.ToString(CultureInfo.InvariantCulture));
    }
}
