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

    [Fact]
    public void An_index_another_writer_replaced_after_an_ordered_tag_should_still_be_sorted()
    {
        var root = Path.Combine(_scratch.Path, "layout");
        var ours = OciLayout.Open(root);
        var m = ours.WriteBlob(OciMediaTypes.ImageManifest, "{\"n\":1}"u8);
        ours.TagInRefNameOrder([(m, "b"), (m, "a")]);
        var ordered = File.ReadAllBytes(ours.IndexPath);
        Assert.Equal(["a", "b"], ours.Manifests().Select(Name));
        Assert.False(LayoutIndexOrder.SortByRefName(ours));
        Assert.Equal(ordered, File.ReadAllBytes(ours.IndexPath));

        // Another process's tag (another object here) lands behind ours, out of order: the index
        // is no longer the file our ordered tag left, so the sort reads it and orders it.
        OciLayout.Open(root).Tag(m, "0");
        Assert.Equal(["a", "b", "0"], ours.Manifests().Select(Name));
        Assert.True(LayoutIndexOrder.SortByRefName(ours));
        Assert.Equal(["0", "a", "b"], ours.Manifests().Select(Name));

        // Edited in place (the same inode, a longer name): its status moved, so it is read again too.
        var sorted = File.ReadAllText(ours.IndexPath);
        File.WriteAllText(ours.IndexPath, sorted.Replace("\"0\"", "\"cc\"", StringComparison.Ordinal));
        Assert.True(LayoutIndexOrder.SortByRefName(ours));
        Assert.Equal(["a", "b", "cc"], ours.Manifests().Select(Name));

        // What the sort kept, a tag adds to: the same bytes as a fresh object reading the sorted file.
        var afterSort = File.ReadAllBytes(ours.IndexPath);
        ours.TagInRefNameOrder([(m, "bb")]);
        var fromKept = File.ReadAllBytes(ours.IndexPath);
        File.WriteAllBytes(ours.IndexPath, afterSort);
        OciLayout.Open(root).TagInRefNameOrder([(m, "bb")]);
        Assert.Equal(fromKept, File.ReadAllBytes(ours.IndexPath));
        Assert.Equal(["a", "b", "bb", "cc"], ours.Manifests().Select(Name));
    }

    [Fact]
    public void A_tag_after_another_writer_replaced_the_index_should_keep_that_writers_entries()
    {
        var root = Path.Combine(_scratch.Path, "layout");
        var ours = OciLayout.Open(root);
        var m = ours.WriteBlob(OciMediaTypes.ImageManifest, "{\"n\":1}"u8);
        ours.TagInRefNameOrder([(m, "b")]);

        // Another process tags behind ours: our next group must not write over it from what it kept.
        OciLayout.Open(root).Tag(m, "z");
        ours.TagInRefNameOrder([(m, "a")]);
        Assert.Equal(["a", "b", "z"], ours.Manifests().Select(Name));

        // Edited in place (the same inode, another name): read again as well.
        var text = File.ReadAllText(ours.IndexPath);
        File.WriteAllText(ours.IndexPath, text.Replace("\"z\"", "\"y\"", StringComparison.Ordinal));
        ours.TagInRefNameOrder([(m, "c")]);
        Assert.Equal(["a", "b", "c", "y"], ours.Manifests().Select(Name));

        // Left alone, the next group adds to what was kept: the same bytes a fresh object writes.
        ours.TagInRefNameOrder([(m, "d")]);
        var kept = File.ReadAllBytes(ours.IndexPath);
        OciLayout.Open(root).TagInRefNameOrder([(m, "d")]);
        Assert.Equal(kept, File.ReadAllBytes(ours.IndexPath));
        Assert.Equal(["a", "b", "c", "d", "y"], ours.Manifests().Select(Name));
    }
}
