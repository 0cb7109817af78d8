using Xunit;

namespace ParallelDiff.Actors.Tests.Support;

/// <summary>
/// Tests that listen to the process-wide meter and activity source run alone, after the parallel
/// ones: another test's export would otherwise move the counters they check.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class Telemetry
{
    public const string Name = "telemetry";
}
