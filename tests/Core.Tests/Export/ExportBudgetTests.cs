using CsCheck;
using ParallelDiff.Core.Export;
using Xunit;

namespace ParallelDiff.Core.Tests.Export;

public sealed class ExportBudgetTests
{
    private const long MiB = 1024 * 1024;

    [Theory]
    [InlineData(8, 4, 100, 4, 2)]
    [InlineData(8, 3, 100, 3, 2)]
    [InlineData(2, 4, 200, 2, 1)]
    [InlineData(8, 0, 100, 8, 1)]
    [InlineData(8, 4, 1, 1, 8)]
    [InlineData(8, 4, 0, 1, 8)]
    [InlineData(1, 16, 100, 1, 1)]
    public void Layers_in_flight_and_workers_should_share_the_cores(int cores, int maxConcurrent, int jobs, int layers, int perLayer)
    {
        Assert.Equal(new ExportBudget(layers, perLayer), ExportBudget.For(cores, maxConcurrent, jobs, long.MaxValue, 64 * MiB, 8 * MiB));
    }

    [Fact]
    public void A_small_memory_budget_should_lower_the_layers_in_flight()
    {
        // 8 layers x (64 MiB + 1 x 8 MiB) = 576 MiB > 300 MiB; 4 x (64 + 2 x 8) = 320 > 300; 3 x (64 + 2 x 8) = 240.
        Assert.Equal(new ExportBudget(3, 2), ExportBudget.For(8, 8, 100, 300 * MiB, 64 * MiB, 8 * MiB));
        Assert.Equal(new ExportBudget(1, 8), ExportBudget.For(8, 8, 100, 1, 64 * MiB, 8 * MiB));
    }

    [Fact]
    public void The_budget_should_never_give_more_workers_than_cores_nor_exceed_the_limits()
    {
        Gen.Select(Gen.Int[1, 128], Gen.Int[0, 64], Gen.Int[0, 1000], Gen.Long[1, 1L << 40]).Sample((cores, max, jobs, memory) =>
        {
            var budget = ExportBudget.For(cores, max, jobs, memory, 64 * MiB, 8 * MiB);
            return budget.LayersInFlight >= 1 && budget.PerLayerParallelism >= 1
                && budget.LayersInFlight * budget.PerLayerParallelism <= cores
                && (max == 0 || budget.LayersInFlight <= max)
                && budget.LayersInFlight <= Math.Max(jobs, 1);
        });
    }
}
