using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Kernel;

/// <summary>
/// Property tests with the real kernel as the oracle: for random layer stacks and random
/// operations through a real overlay mount, in each of four mount modes, our layer applied onto
/// the flattened lowers must equal what the kernel shows when it mounts the result. A failure
/// names the mode and the seed (the test case's arguments replay it) and lists the operations,
/// the layers on disk, our layer's entries and the differences. For a longer soak, without
/// changing the committed cases: PD_KERNEL_SEEDS_PER_MODE=N and PD_KERNEL_FIRST_SEED=K run the seeds
/// K…K+N-1 of every mode; PD_KERNEL_STORIES=DIR writes every scenario's story there, passing or not.
/// </summary>
public sealed class KernelRoundTripTests
{
    /// <summary>Seeds per mode by default; 4 modes × 55 = 220 cases, about 1.5 minutes on 2 cores.</summary>
    private const int DefaultSeedsPerMode = 55;

    /// <summary>
    /// By default each mode has its own seeds (1000s, 2000s, …), so that no two cases replay the
    /// same random stream; PD_KERNEL_FIRST_SEED gives every mode the same range instead.
    /// </summary>
    public static TheoryData<KernelMode, int> Cases()
    {
        var perMode = EnvironmentNumber("PD_KERNEL_SEEDS_PER_MODE") ?? DefaultSeedsPerMode;
        var first = EnvironmentNumber("PD_KERNEL_FIRST_SEED");
        var data = new TheoryData<KernelMode, int>();
        foreach (var mode in Enum.GetValues<KernelMode>())
        {
            for (var i = 0; i < perMode; i++)
            {
                data.Add(mode, (first ?? ((int)mode + 1) * 1000) + i);
            }
        }

        return data;
    }

    private static int? EnvironmentNumber(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : null;

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
