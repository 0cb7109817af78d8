using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Kernel;

/// <summary>
/// Issue 12 §1 with the kernel as the oracle: random stacks whose lowers carry user.* xattrs and
/// whose operations set, change, empty and remove them (on lower entries too, where overlayfs
/// copies up with the same mtime, size and mode). Exported with --xattrs all and applied onto the
/// flattened lowers, the tree must equal the kernel's view, user xattrs included. The seeds
/// (5000s) are apart from <see cref="KernelRoundTripTests"/>; a failure names mode and seed.
/// </summary>
public sealed class XattrsAllRoundTripTests
{
    private const int SeedsPerMode = 10;

    public static TheoryData<KernelMode, int> Cases()
    {
        var data = new TheoryData<KernelMode, int>();
        foreach (var mode in Enum.GetValues<KernelMode>())
        {
            for (var i = 0; i < SeedsPerMode; i++)
            {
                data.Add(mode, 5000 + ((int)mode * 100) + i);
            }
        }

        return data;
    }

    [RootTheory]
    [MemberData(nameof(Cases))]
    public void Layer_with_all_xattrs_should_carry_xattr_only_changes(KernelMode mode, int seed)
    {
        using var scenario = KernelScenario.Run(mode, seed, withXattrs: true);
        DifferKind[] differs = seed % 3 == 0 ? [DifferKind.Overlay, DifferKind.Walking] : [DifferKind.Overlay];
        var failures = differs.Select(d => scenario.Check(d, XattrPolicy.All)).OfType<string>().ToList();
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
