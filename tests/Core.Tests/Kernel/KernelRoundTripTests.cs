using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Kernel;

/// <summary>
/// Property tests with the real kernel as the oracle: for random layer stacks and random
/// operations through a real overlay mount, in each of four mount modes, our layer applied onto
/// the flattened lowers must equal what the kernel shows when it mounts the result. A failure
/// names the mode and the seed (the test case's arguments replay it) and lists the operations,
/// the layers on disk, our layer's entries and the differences.
/// </summary>
public sealed class KernelRoundTripTests
{
    /// <summary>Seeds per mode; 4 modes × 55 = 220 cases.</summary>
    private const int SeedsPerMode = 55;

    /// <summary>Each mode has its own seeds (1000s, 2000s, …), so that no two cases replay the same random stream.</summary>
    public static TheoryData<KernelMode, int> Cases()
    {
        var data = new TheoryData<KernelMode, int>();
        foreach (var mode in Enum.GetValues<KernelMode>())
        {
            for (var i = 0; i < SeedsPerMode; i++)
            {
                data.Add(mode, ((int)mode + 1) * 1000 + i);
            }
        }

        return data;
    }

    /// <summary>The overlay differ on every case; the walking differ too on every third seed, against the same truth.</summary>
    [RootTheory]
    [MemberData(nameof(Cases))]
    public void Layer_applied_onto_the_lowers_should_equal_the_kernels_view(KernelMode mode, int seed)
    {
        using var scenario = KernelScenario.Run(mode, seed);
        DifferKind[] differs = seed % 3 == 0 ? [DifferKind.Overlay, DifferKind.Walking] : [DifferKind.Overlay];
        var failures = differs.Select(scenario.Check).OfType<string>().ToList();
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
