using ParallelDiff.Core.Export;
using ParallelDiff.Core.Oci;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Export;

public sealed class LayoutIndexOrderTests : IDisposable
{
    private readonly ScratchDirectory _scratch = ScratchDirectory.Create("pd-index-order-");

    public void Dispose() => _scratch.Dispose();

    private static string Name(OciDescriptor d) => d.Annotations?.GetValueOrDefault(OciMediaTypes.RefNameAnnotation) ?? "(none)";

    [Fact]
    public void Tags_written_in_any_order_should_end_in_one_order_and_the_same_bytes()
    {
        string[][] orders = [["c", "a", "b/x", "B"], ["B", "b/x", "a", "c"]];
        var indexes = orders.Select((order, i) =>
        {
            var layout = OciLayout.Open(Path.Combine(_scratch.Path, $"layout{i}"));
            foreach (var name in order)
            {
                // One manifest blob per name, as a bulk export writes one image per snapshot.
                layout.Tag(layout.WriteBlob(OciMediaTypes.ImageManifest, System.Text.Encoding.UTF8.GetBytes($"{{\"name\":\"{name}\"}}")), name);
            }

            Assert.True(LayoutIndexOrder.SortByRefName(layout));
            Assert.Equal(["B", "a", "b/x", "c"], layout.Manifests().Select(Name));
            Assert.False(LayoutIndexOrder.SortByRefName(layout));
            return File.ReadAllBytes(layout.IndexPath);
        }).ToList();

        Assert.Equal(indexes[0], indexes[1]);
    }

    [Fact]
    public void Entries_without_a_name_should_keep_their_place_in_front()
    {
        var layout = OciLayout.Open(Path.Combine(_scratch.Path, "layout"));
        var named = layout.WriteBlob(OciMediaTypes.ImageManifest, "{\"n\":1}"u8);
        layout.Tag(named, "z");
        layout.Tag(named, "y");

        // Another tool's entry without a ref name, added behind ours.
        var text = File.ReadAllText(layout.IndexPath).Replace("]}", ",{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + named.Digest + "\",\"size\":" + named.Size + "}]}", StringComparison.Ordinal);
        File.WriteAllText(layout.IndexPath, text);

        Assert.True(LayoutIndexOrder.SortByRefName(layout));
        Assert.Equal(["(none)", "y", "z"], layout.Manifests().Select(Name));
    }
}
