using System.Text.Json;
using ParallelDiff.Core.Layers;
using Xunit;

namespace ParallelDiff.Core.Tests.Layers;

public sealed class LayerDescriptorAnnotationsTests
{
    private static IReadOnlyDictionary<string, string>? Of(string descriptor)
    {
        using var document = JsonDocument.Parse(descriptor);
        return LayerDescriptor.FormatAnnotations(document.RootElement);
    }

    [Theory]
    [InlineData("""{"digest":"sha256:00"}""")]
    [InlineData("""{"annotations":{}}""")]
    [InlineData("""{"annotations":{"containerd.io/uncompressed":"sha256:11"}}""")]
    [InlineData("""{"annotations":["not","an","object"]}""")]
    public void A_descriptor_with_no_annotation_but_the_uncompressed_digest_should_have_none(string descriptor) =>
        Assert.Null(Of(descriptor));

    [Fact]
    public void The_format_annotations_should_be_kept_and_the_uncompressed_digest_and_non_strings_left_out()
    {
        var kept = Of("""
            {"annotations":{"containerd.io/uncompressed":"sha256:11","io.github.containers.zstd-chunked.manifest-position":"1:2:3:1",
             "count":7,"containerd.io/snapshot/stargz/toc.digest":"sha256:22"}}
            """);

        Assert.Equal(
            new Dictionary<string, string>
            {
                ["io.github.containers.zstd-chunked.manifest-position"] = "1:2:3:1",
                ["containerd.io/snapshot/stargz/toc.digest"] = "sha256:22",
            },
            kept);
    }

    [Fact]
    public void An_annotation_given_twice_should_be_refused_not_silently_taken()
    {
        Assert.Throws<ArgumentException>(() => Of("""{"annotations":{"a":"1","a":"2"}}"""));
    }
}
