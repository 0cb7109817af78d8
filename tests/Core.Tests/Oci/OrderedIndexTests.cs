using System.Text;
using ParallelDiff.Core.Oci;
using Xunit;

namespace ParallelDiff.Core.Tests.Oci;

/// <summary>The index a bulk export's recorder keeps between groups: the bytes a tag and a sort write, without reading the file again.</summary>
public sealed class OrderedIndexTests
{
    private static string Digest(char c) => "sha256:" + new string(c, 64);

    private static OciDescriptor Entry(char digest, string name) =>
        new(OciMediaTypes.ImageManifest, Digest(digest), 10) { Annotations = new Dictionary<string, string> { [OciMediaTypes.RefNameAnnotation] = name } };

    // Whitespace, an escaped '+', fields and entries nothing here models, an entry without a name,
    // one whose annotations are not an object, and names out of order.
    private static readonly string Messy = $$$"""
        { "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1\u002Bjson",
          "annotations": {"com.example": "x"},
          "manifests": [
            {"mediaType": "m", "digest": "{{{Digest('f')}}}", "size": 7, "urls": ["https://example.com"], "annotations": 3},
            {"mediaType": "m", "digest": "{{{Digest('a')}}}", "size": 1.0, "annotations": {"org.opencontainers.image.ref.name": "web"}},
            {"mediaType": "m", "digest": "{{{Digest('a')}}}", "size": 1, "annotations": {"org.opencontainers.image.ref.name": "db"}},
            {"mediaType": "m", "digest": "{{{Digest('e')}}}", "size": 2}
          ], "extra": [1, 2] }
        """;

    /// <summary>What the recorder wrote before it kept the index: the tag, then the sort of the result.</summary>
    private static byte[] TagThenSort(byte[] index, IReadOnlyList<OciDescriptor> entries)
    {
        using var document = IndexDocument.Parse(index, "index.json");
        using var tagged = new PooledBufferWriter(256);
        IndexDocument.WithEntries(document.RootElement, entries, tagged);
        var bytes = tagged.WrittenSpan.ToArray();
        using var written = IndexDocument.Parse(bytes, "index.json");
        return IndexDocument.InRefNameOrder(written.RootElement) ?? bytes;
    }

    private static byte[] Written(OrderedIndex index)
    {
        using var output = new PooledBufferWriter(256);
        index.WriteTo(output);
        return output.WrittenSpan.ToArray();
    }

    [Fact]
    public void A_kept_index_should_write_the_bytes_a_tag_and_a_sort_write()
    {
        var messy = Encoding.UTF8.GetBytes(Messy);
        OciDescriptor[] entries = [Entry('b', "web"), Entry('c', "app"), Entry('d', "zz")];
        using var document = IndexDocument.Parse(messy, "index.json");

        var kept = OrderedIndex.Of(document.RootElement).With(entries);

        var expected = TagThenSort(messy, entries);
        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(Written(kept)));
        Assert.Equal(6, kept.Count);
        // The unnamed entries first in their order, then the names in ordinal order; "web" replaced.
        Assert.Contains("\"urls\":[\"https://example.com\"],\"annotations\":3},{\"mediaType\":\"m\",\"digest\":\"" + Digest('e'), Encoding.UTF8.GetString(expected));
        Assert.EndsWith("],\"extra\":[1,2]}", Encoding.UTF8.GetString(expected));
    }

    [Fact]
    public void Groups_added_to_a_kept_index_should_write_what_reading_the_file_each_time_writes()
    {
        var file = IndexDocument.Empty();
        using (var empty = IndexDocument.Parse(file, "index.json"))
        {
            var kept = OrderedIndex.Of(empty.RootElement);
            OciDescriptor[][] groups = [[Entry('1', "s-3"), Entry('2', "s-1")], [Entry('3', "s-2"), Entry('4', "s-1")], [Entry('5', "s-0")]];
            foreach (var group in groups)
            {
                kept = kept.With(group);
                file = TagThenSort(file, group);
                Assert.Equal(Encoding.UTF8.GetString(file), Encoding.UTF8.GetString(Written(kept)));
            }

            Assert.Equal(4, kept.Count);
        }
    }
}
