using System.Buffers;
using System.Text.Json;

namespace ParallelDiff.Core.Oci;

/// <summary>
/// index.json in ref-name order as its writer keeps it between rewrites: each manifest entry with its
/// ref name and the bytes it is written as, and the index's other fields around the list. A bulk
/// export rewrites the index for every group of snapshots it records; parsing the file it wrote itself
/// and writing every entry again element by element was most of what a group of a 1,000-snapshot
/// export cost. Kept, a group adds its entries and copies the rest. The bytes are those
/// <see cref="IndexDocument.WithEntries"/> and then <see cref="IndexDocument.InRefNameOrder"/> write for the same index and entries.
/// </summary>
internal sealed class OrderedIndex
{
    // The top-level fields in file order, each written as it was read; a null value marks where the
    // manifests list goes.
    private readonly IReadOnlyList<(string Name, byte[]? Value)> _fields;
    private readonly IReadOnlyList<(string? RefName, byte[] Bytes)> _manifests;

    private OrderedIndex(IReadOnlyList<(string Name, byte[]? Value)> fields, IReadOnlyList<(string? RefName, byte[] Bytes)> manifests)
    {
        _fields = fields;
        _manifests = manifests;
    }

    /// <summary>The index's manifests, as written.</summary>
    public int Count => _manifests.Count;

    /// <summary>
    /// A parsed index (checked by <see cref="IndexDocument.Parse"/>), its fields and entries as
    /// <see cref="JsonElement.WriteTo"/> writes them; not yet in order until <see cref="With"/>.
    /// </summary>
    public static OrderedIndex Of(JsonElement index)
    {
        using var buffer = new PooledBufferWriter(4096);
        var fields = new List<(string, byte[]?)>();
        foreach (var property in index.EnumerateObject())
        {
            fields.Add((property.Name, property.NameEquals("manifests") ? null : Bytes(buffer, property.Value.WriteTo)));
        }

        var manifests = index.GetProperty("manifests").EnumerateArray()
            .Select(m => (IndexDocument.RefNameOf(m), Bytes(buffer, m.WriteTo))).ToList();
        return new OrderedIndex(fields, manifests);
    }

    /// <summary>
    /// This index with <paramref name="entries"/> (each carrying its ref name annotation) in place of
    /// the manifests listed under their names, the whole list in <see cref="IndexDocument.InOrder"/>.
    /// </summary>
    public OrderedIndex With(IReadOnlyList<OciDescriptor> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var names = entries.Select(IndexDocument.RefName).ToHashSet(StringComparer.Ordinal);
        using var buffer = new PooledBufferWriter(1024);
        var listed = _manifests.Where(m => m.RefName is null || !names.Contains(m.RefName))
            .Concat(entries.Select(e => (RefName: (string?)IndexDocument.RefName(e), Bytes: Bytes(buffer, e.WriteTo))))
            .ToList();
        return new OrderedIndex(_fields, IndexDocument.InOrder(listed, m => m.RefName));
    }

    /// <summary>The index's bytes, at the end of <paramref name="output"/>.</summary>
    public void WriteTo(IBufferWriter<byte> output) => OciJson.SerializeTo(output, json =>
    {
        json.WriteStartObject();
        foreach (var (name, value) in _fields)
        {
            if (value is null)
            {
                json.WriteStartArray(name);
                foreach (var (_, bytes) in _manifests)
                {
                    // Written by this writer's own options when they were kept: nothing to check again.
                    json.WriteRawValue(bytes, skipInputValidation: true);
                }

                json.WriteEndArray();
            }
            else
            {
                json.WritePropertyName(name);
                json.WriteRawValue(value, skipInputValidation: true);
            }
        }

        json.WriteEndObject();
    });

    private static byte[] Bytes(PooledBufferWriter buffer, Action<Utf8JsonWriter> write)
    {
        buffer.Clear();
        OciJson.SerializeTo(buffer, write);
        return buffer.WrittenSpan.ToArray();
    }
}
