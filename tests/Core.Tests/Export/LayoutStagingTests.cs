using ParallelDiff.Core.Export;
using ParallelDiff.Core.Oci;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Export;

/// <summary>What a killed export leaves in a layout is cleared; what a live writer still uses is not.</summary>
public sealed class LayoutStagingTests : IDisposable
{
    private readonly ScratchDirectory _scratch = ScratchDirectory.Create("pd-staging-");
    private readonly OciLayout _layout;

    public LayoutStagingTests() => _layout = OciLayout.Open(Path.Combine(_scratch.Path, "layout"));

    public void Dispose() => _scratch.Dispose();

    private string Blobs(string name) => Path.Combine(_layout.Root, "blobs", "sha256", name);

    [Fact]
    public void Staging_paths_should_be_hidden_in_the_blobs_directory_and_name_this_process()
    {
        var path = LayoutStaging.NewBlobPath(_layout);
        Assert.Equal(Path.Combine(_layout.Root, "blobs", "sha256"), Path.GetDirectoryName(path));
        Assert.StartsWith($".staging-{Environment.ProcessId}-", Path.GetFileName(path), StringComparison.Ordinal);
        Assert.NotEqual(path, LayoutStaging.NewBlobPath(_layout));
    }

    [Fact]
    public void Leftovers_of_a_dead_writer_should_be_removed_and_the_layout_left_alone()
    {
        // A pid above the kernel's pid_max cannot be running.
        string[] leftovers =
        [
            Blobs(".staging-99999999-0011aabbccdd"),
            Blobs("..staging-99999999-0011aabbccdd.tmp-223344556677"),
            Blobs($".{new string('e', 64)}.tmp-8899aabbccdd"),
            Path.Combine(_layout.Root, ".index.json.tmp-001122334455"),
        ];
        foreach (var leftover in leftovers)
        {
            File.WriteAllText(leftover, "partial");
        }

        var kept = Blobs(new string('f', 64));
        File.WriteAllText(kept, "a blob (its name is its digest; not checked here)");

        var removed = LayoutStaging.RemoveLeftovers(_layout);

        Assert.Equal(leftovers.Order(StringComparer.Ordinal), removed.Order(StringComparer.Ordinal));
        Assert.All(leftovers, l => Assert.False(File.Exists(l)));
        Assert.True(File.Exists(kept));
        Assert.True(File.Exists(_layout.IndexPath));
    }

    [Fact]
    public void A_temporary_file_held_open_should_be_kept()
    {
        var inUse = Blobs($".{new string('d', 64)}.tmp-001122334455");
        using (File.Create(inUse))
        {
            Assert.Empty(LayoutStaging.RemoveLeftovers(_layout));
            Assert.True(File.Exists(inUse));
        }

        Assert.Single(LayoutStaging.RemoveLeftovers(_layout));
    }

    [Fact]
    public void A_staging_file_of_a_live_process_should_be_kept()
    {
        // pid 1 always runs; its staging file is between its rename and its move.
        var live = Blobs(".staging-1-0011aabbccdd");
        File.WriteAllText(live, "blob being moved");
        Assert.Empty(LayoutStaging.RemoveLeftovers(_layout));
        Assert.True(File.Exists(live));
    }
}
