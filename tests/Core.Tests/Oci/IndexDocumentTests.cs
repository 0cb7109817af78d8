using System.Text;
using ParallelDiff.Core.Oci;
using Xunit;

namespace ParallelDiff.Core.Tests.Oci;

/// <summary>index.json rewritten element by element: the bytes the JsonNode tree gave, foreign content kept.</summary>
public sealed class IndexDocumentTests
{
    private static readonly string Old = "sha256:" + new string('a', 64);
    private static readonly string New = "sha256:" + new string('b', 64);
    private static readonly string Foreign = "sha256:" + new string('f', 64);

    private static OciDescriptor Entry(string digest, string name) =>
        new(OciMediaTypes.ImageManifest, digest, 10) { Annotations = new Dictionary<string, string> { [OciMediaTypes.RefNameAnnotation] = name } };

    [Fact]
    public void WithEntries_should_replace_a_named_manifest_keep_the_rest_and_write_compact_json()
    {
        // Whitespace, an escaped '+', fields and entries nothing here models, an entry whose
        // annotations are not an object, and one tagged with the name being replaced.
        var index = $$$"""
            { "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1\u002Bjson",
              "annotations": {"com.example": "x"},
              "manifests": [
                {"mediaType": "m", "digest": "{{{Foreign}}}", "size": 7, "urls": ["https://example.com"], "annotations": 3},
                {"mediaType": "m", "digest": "{{{Old}}}", "size": 1.0, "annotations": {"org.opencontainers.image.ref.name": "web"}},
                {"mediaType": "m", "digest": "{{{Old}}}", "size": 1, "annotations": {"org.opencontainers.image.ref.name": "db"}}
              ] }
            """;
        using var document = IndexDocument.Parse(Encoding.UTF8.GetBytes(index), "index.json");

        using var output = new PooledBufferWriter(256);
        IndexDocument.WithEntries(document.RootElement, [Entry(New, "web")], output);
        var written = Encoding.UTF8.GetString(output.WrittenSpan);

        Assert.Equal(
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"annotations\":{\"com.example\":\"x\"},\"manifests\":["
            + $"{{\"mediaType\":\"m\",\"digest\":\"{Foreign}\",\"size\":7,\"urls\":[\"https://example.com\"],\"annotations\":3}},"
            + $"{{\"mediaType\":\"m\",\"digest\":\"{Old}\",\"size\":1,\"annotations\":{{\"org.opencontainers.image.ref.name\":\"db\"}}}},"
            + $"{{\"mediaType\":\"{OciMediaTypes.ImageManifest}\",\"digest\":\"{New}\",\"size\":10,\"annotations\":{{\"org.opencontainers.image.ref.name\":\"web\"}}}}"
            + "]}",
            written);
    }

    [Fact]
    public void Empty_should_parse_as_an_index_without_manifests()
    {
        using var document = IndexDocument.Parse(IndexDocument.Empty(), "index.json");

        Assert.Equal(0, document.RootElement.GetProperty("manifests").GetArrayLength());
        Assert.Equal(OciMediaTypes.ImageIndex, document.RootElement.GetProperty("mediaType").GetString());
    }

    [Theory]
    [InlineData("""{"schemaVersion":2.5,"manifests":[]}""")]
    [InlineData("""{"schemaVersion":"2","manifests":[]}""")]
    [InlineData("""{"schemaVersion":2,"manifests":{}}""")]
    public void Parse_should_refuse_what_is_not_an_image_index(string content)
    {
        var e = Assert.Throws<InvalidDataException>(() => IndexDocument.Parse(Encoding.UTF8.GetBytes(content), "/x/index.json"));

        Assert.Contains("/x/index.json", e.Message, StringComparison.Ordinal);
    }
}
