using System.Text.Json;
using ParallelDiff.Core;
using ParallelDiff.Core.Oci;
using Xunit;

namespace ParallelDiff.Core.Tests;

/// <summary>The pooled writer behind OCI documents and compressed units: what it gives back is exactly what was written, however often it grew, and every array it rented goes back once unless handed on.</summary>
public sealed class PooledBufferWriterTests
{
    [Fact]
    public void PooledBufferWriter_should_keep_every_byte_across_growth()
    {
        // An index of 5,000 entries is about a megabyte: the 4 KiB start grows many times.
        var serialized = OciJson.Serialize(json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("manifests");
            for (var i = 0; i < 5000; i++)
            {
                json.WriteStartObject();
                json.WriteString("digest", "sha256:" + i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture));
                json.WriteNumber("size", i);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });

        using var document = JsonDocument.Parse(serialized);
        var manifests = document.RootElement.GetProperty("manifests");
        Assert.Equal(5000, manifests.GetArrayLength());
        Assert.All(manifests.EnumerateArray().Select((m, i) => (m, i)), e => Assert.Equal(e.i, e.m.GetProperty("size").GetInt32()));
        Assert.True(serialized.Length > 400_000);
    }

    [Fact]
    public void PooledBufferWriter_should_refuse_to_advance_past_what_it_handed_out()
    {
        using var writer = new PooledBufferWriter(16);
        var span = writer.GetSpan(8);
        "12345678"u8.CopyTo(span);
        writer.Advance(8);
        Assert.Equal("12345678"u8.ToArray(), writer.WrittenSpan.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Advance(writer.GetSpan().Length + 1));
    }

    [Fact]
    public void PooledBufferWriter_should_give_back_each_array_once_unless_it_was_detached()
    {
        var rented = new List<byte[]>();
        var givenBack = new List<byte[]>();
        byte[] Rent(int length)
        {
            rented.Add(new byte[length]);
            return rented[^1];
        }

        using (var abandoned = new PooledBufferWriter(256, Rent, givenBack.Add))
        {
            abandoned.Advance(abandoned.GetSpan(1000).Length);
        }

        // Grown once: the first array went back when it grew, the second when the writer was disposed.
        Assert.Equal(2, rented.Count);
        Assert.Equal(rented, givenBack);

        var kept = new PooledBufferWriter(256, Rent, givenBack.Add);
        "abc"u8.CopyTo(kept.GetSpan(3));
        kept.Advance(3);
        var buffer = kept.Detach(out var written);
        kept.Dispose();
        Assert.Same(rented[^1], buffer);
        Assert.Equal(3, written);
        Assert.Equal(2, givenBack.Count);
    }
}
