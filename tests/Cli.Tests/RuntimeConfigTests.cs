using System.Text.Json;
using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>
/// The GC settings the built CLI starts with, read from the paralleldiff.runtimeconfig.json the
/// runtime itself reads (built beside the tests): the memory target of issue 5 rests on them.
/// </summary>
public sealed class RuntimeConfigTests
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public void RuntimeConfig_should_cap_the_gen0_budget_at_4_MiB()
    {
        // Without the cap the GC let gen0 grow to 43-123 MiB and a 12-layer export peaked at 260-294 MiB;
        // at 16 MiB a warm export of 1,000 snapshots paid 8,000 first touches of fresh pages, 4,300 at 4 MiB, 3,450 at 2 MiB.
        Assert.Equal(2 * MiB, Property("System.GC.Gen0MaxBudget").GetInt64());
    }

    [Fact]
    public void RuntimeConfig_should_keep_the_workstation_non_concurrent_GC()
    {
        // A server GC keeps a heap (and a gen0 budget) per core; a background GC a second heap's worth of slack.
        Assert.False(OptionalProperty("System.GC.Server")?.GetBoolean() ?? false);
        Assert.False(Property("System.GC.Concurrent").GetBoolean());
    }

    private static string ConfigPath => Path.Combine(AppContext.BaseDirectory, "paralleldiff.runtimeconfig.json");

    private static JsonElement Property(string name) =>
        OptionalProperty(name) ?? throw new Xunit.Sdk.XunitException($"{name} is not in {ConfigPath}");

    private static JsonElement? OptionalProperty(string name)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(ConfigPath));
        return document.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").TryGetProperty(name, out var value)
            ? value.Clone()
            : null;
    }
}
