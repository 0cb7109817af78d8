using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Sources;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Sources;

/// <summary>A fake ROOT/overlay2 tree laid out as moby's overlay2 driver does (layer dirs, l/ links, lower files).</summary>
public sealed class DockerOverlay2LayerTests : IDisposable
{
    private readonly ScratchDirectory _scratch = ScratchDirectory.Create("pd-overlay2-");

    public DockerOverlay2LayerTests()
    {
        Directory.CreateDirectory(Path.Combine(Overlay2, "l"));
        AddLayer("base", "AAAA", lower: null);
        AddLayer("middle", "BBBB", lower: "l/AAAA");
        AddLayer("top", "CCCC", lower: "l/BBBB:l/AAAA");
    }

    private string Overlay2 => Path.Combine(_scratch.Path, "overlay2");

    public void Dispose() => _scratch.Dispose();

    private string Layer(string id) => Path.Combine(Overlay2, id);

    private void AddLayer(string id, string shortId, string? lower)
    {
        Directory.CreateDirectory(Path.Combine(Layer(id), "diff"));
        Directory.CreateDirectory(Path.Combine(Layer(id), "work"));
        File.WriteAllText(Path.Combine(Layer(id), "link"), shortId);
        File.CreateSymbolicLink(Path.Combine(Overlay2, "l", shortId), $"../{id}/diff");
        if (lower is not null)
        {
            File.WriteAllText(Path.Combine(Layer(id), "lower"), lower);
        }
    }

    [Fact]
    public void A_layer_should_be_its_diff_over_the_diffs_its_lower_file_lists_top_first()
    {
        var snapshot = DockerOverlay2Layer.Load(Layer("top"));

        Assert.Equal(Path.Combine(Layer("top"), "diff"), snapshot.Upper);
        Assert.Equal([Path.Combine(Layer("middle"), "diff"), Path.Combine(Layer("base"), "diff")], snapshot.Lowers.Select(l => l.Path));
        Assert.All(snapshot.Lowers, l => Assert.False(l.DataOnly));
        Assert.Equal(OverlayOptions.Default, snapshot.Overlay);
    }

    [Fact]
    public void A_layer_without_a_lower_file_should_be_a_bottom_layer()
    {
        var snapshot = DockerOverlay2Layer.Load(Layer("base") + "/");

        Assert.Equal(Path.Combine(Layer("base"), "diff"), snapshot.Upper);
        Assert.Empty(snapshot.Lowers);
    }

    [Fact]
    public void A_trailing_newline_in_the_lower_file_should_be_tolerated_and_options_passed_through()
    {
        File.WriteAllText(Path.Combine(Layer("middle"), "lower"), "l/AAAA\n");

        var snapshot = DockerOverlay2Layer.Load(Layer("middle"), OverlayOptions.ForUserXattr);

        Assert.Equal([Path.Combine(Layer("base"), "diff")], snapshot.Lowers.Select(l => l.Path));
        Assert.True(snapshot.Overlay.UserXattr);
    }

    [Fact]
    public void A_missing_link_should_be_an_error_naming_it_and_the_lower_file()
    {
        File.Delete(Path.Combine(Overlay2, "l", "AAAA"));

        var e = Assert.Throws<SnapshotException>(() => DockerOverlay2Layer.Load(Layer("top")));

        Assert.Contains(Path.Combine(Layer("top"), "lower"), e.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(Overlay2, "l", "AAAA"), e.Message, StringComparison.Ordinal);
        Assert.Contains("No such file", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_broken_link_should_be_an_error_naming_its_target()
    {
        Directory.Delete(Path.Combine(Layer("middle"), "diff"));

        var e = Assert.Throws<SnapshotException>(() => DockerOverlay2Layer.Load(Layer("top")));

        Assert.Contains("broken link", e.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(Layer("middle"), "diff"), e.Message, StringComparison.Ordinal);
        Assert.Contains("l/BBBB", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("l/BBBB:../base/diff")]
    [InlineData("l/")]
    [InlineData("l/..")]
    [InlineData("l/a/b")]
    [InlineData("/abs/path")]
    [InlineData("l/BBBB:")]
    public void A_malformed_lower_entry_should_be_an_error(string lower)
    {
        File.WriteAllText(Path.Combine(Layer("top"), "lower"), lower);

        var e = Assert.Throws<SnapshotException>(() => DockerOverlay2Layer.Load(Layer("top")));

        Assert.Contains("not of the form l/SHORTID", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_lower_file_should_be_an_error()
    {
        File.WriteAllText(Path.Combine(Layer("top"), "lower"), string.Empty);

        Assert.Contains("empty", Assert.Throws<SnapshotException>(() => DockerOverlay2Layer.Load(Layer("top"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_without_diff_should_be_an_error()
    {
        var e = Assert.Throws<SnapshotException>(() => DockerOverlay2Layer.Load(Path.Combine(Overlay2, "l")));

        Assert.Contains("no diff/ directory", e.Message, StringComparison.Ordinal);
    }
}
