using ParallelDiff.Core.Export;
using ParallelDiff.Core.Snapshots;
using Xunit;

namespace ParallelDiff.Core.Tests.Export;

public sealed class ImageLayersTests
{
    [Fact]
    public void A_stack_should_split_into_its_layers_bottom_first_each_over_the_ones_below()
    {
        var layers = ImageLayers.Of(Snapshot.OfOverlay("/U", ["/L3", "/L2", "/L1"], OverlayOptions.ForUserXattr));

        Assert.Equal(["/L1", "/L2", "/L3", "/U"], layers.Select(l => l.Upper));
        Assert.Equal([[], ["/L1"], ["/L2", "/L1"], ["/L3", "/L2", "/L1"]], layers.Select(l => l.Lowers.Select(x => x.Path).ToArray()));
        Assert.All(layers, l => Assert.Same(OverlayOptions.ForUserXattr, l.Overlay));
    }

    [Fact]
    public void Data_only_layers_should_stay_below_every_layer_and_not_become_layers()
    {
        var stack = new Snapshot { Upper = "/U", Lowers = [new("/L2"), new("/L1"), new("/data", DataOnly: true)] };

        var layers = ImageLayers.Of(stack);

        Assert.Equal(["/L1", "/L2", "/U"], layers.Select(l => l.Upper));
        Assert.All(layers, l => Assert.Equal(new OverlayLayer("/data", true), l.Lowers[^1]));
    }

    [Fact]
    public void Two_trees_should_not_be_taken_for_a_stack()
    {
        Assert.Throws<SnapshotException>(() => ImageLayers.Of(Snapshot.OfTrees("/a", "/b")));
    }
}
