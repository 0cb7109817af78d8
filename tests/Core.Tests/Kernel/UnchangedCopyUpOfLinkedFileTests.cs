using ParallelDiff.Core.Apply;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Kernel;

/// <summary>
/// Found by the kernel round trip (redirect_dir=on, seed 2025; any mode): a lower file with two
/// names, one of them copied up without any change (opened for writing and closed). With
/// index=off copy-up breaks the link, so the kernel shows two separate files. DirentComparer.Same
/// finds the copy equal to the base (same type, mode, owner, size, mtime, content) and both
/// differs leave it out, so after applying the layer the two names are still one inode. The layer
/// can say what the kernel shows: the copied-up name as a regular file, which the applier writes
/// as a new inode. This test fails until src/Core does that.
/// </summary>
public sealed class UnchangedCopyUpOfLinkedFileTests
{
    [RootTheory]
    [InlineData(DifferKind.Overlay)]
    [InlineData(DifferKind.Walking)]
    public void Copy_up_that_breaks_a_lower_hard_link_should_break_it_in_the_layer(DifferKind differ)
    {
        using var scratch = ScratchDirectory.Create("pd-linkbreak-");
        var lower = Path.Combine(scratch.Path, "lower");
        var upper = Path.Combine(scratch.Path, "upper");
        Directory.CreateDirectory(lower);
        Posix.Must(Posix.WriteFile(Path.Combine(lower, "a"), "hello"u8.ToArray(), 0x1A4, truncate: false), "write", "lower/a");
        Posix.Must(Posix.Link(Path.Combine(lower, "a"), Path.Combine(lower, "b")), "link", "lower/b");
        Posix.Must(Posix.SetTimes(Path.Combine(lower, "a"), 1_600_000_000, 0), "utimensat", "lower/a");

        using (var overlay = ReadWriteOverlay.Mount([lower], upper, Path.Combine(scratch.Path, "work"), Path.Combine(scratch.Path, "merged"), []))
        {
            // O_WRONLY without O_TRUNC, nothing written: a full copy-up and nothing else.
            Posix.Must(Posix.Overwrite(Path.Combine(overlay.MountPoint, "a"), []), "open for writing", "merged/a");
        }

        IReadOnlyList<TreeEntry> truth;
        using (var mount = OverlayMount.ReadOnly([upper, lower]))
        {
            truth = TreeSnapshot.Capture(mount.MountPoint);
        }

        Assert.All(truth.Where(e => !e.IsRoot), e => Assert.Null(e.LinkGroup));

        var tar = LayerTar.ToBytes(
            Snapshot.OfOverlay(upper, [lower], OverlayOptions.Default),
            new LayerOptions { Differ = differ, Diff = new DiffOptions { Exact = true } });
        var dest = Path.Combine(scratch.Path, "applied");
        LowerFlattener.Flatten([lower], null, dest);
        LayerApplier.Apply(new MemoryStream(tar), dest, new ApplyOptions { ExactTimes = true });

        var differences = TreeComparison.Compare(truth, TreeSnapshot.Capture(dest));
        Assert.True(differences.Count == 0, TreeComparison.Format(differences) + "\nour layer:\n" + ScenarioListings.Tar(tar));
    }
}
