using System.Text.Json;
using ParallelDiff.Core.Layers;
using Xunit;

namespace ParallelDiff.Core.Tests.Layers;

public sealed class MediaTypesTests
{
    private static string Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return MediaTypes.FromJson(document.RootElement);
    }

    [Fact]
    public void A_layer_type_of_ours_should_read_back_as_our_one_string()
    {
        // Asserted by reference: theory data would reach the test as copies of the constants.
        foreach (var mediaType in new[] { MediaTypes.LayerTar, MediaTypes.LayerTarGzip, MediaTypes.LayerTarZstd, MediaTypes.LayerTarLz4 })
        {
            // Serialized with '+' escaped as \u002B, as System.Text.Json writes it.
            Assert.Same(mediaType, Read(JsonSerializer.Serialize(mediaType)));
            Assert.Same(mediaType, Read($"\"{mediaType}\""));
        }
    }

    [Fact]
    public void Any_other_type_should_read_back_as_written()
    {
        Assert.Equal("application/vnd.docker.image.rootfs.diff.tar.gzip", Read("\"application/vnd.docker.image.rootfs.diff.tar.gzip\""));
        Assert.Equal("application/vnd.oci.image.layer.v1.tar+zstd ", Read("\"application/vnd.oci.image.layer.v1.tar+zstd \""));
    }

    [Fact]
    public void A_value_that_is_not_a_string_should_be_refused() =>
        Assert.Throws<InvalidOperationException>(() => Read("42"));
}
