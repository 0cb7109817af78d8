using Xunit;

namespace ParallelDiff.Actors.Tests.Support;

/// <summary>
/// Tests that assert a deadline (cancellation within a second) run alone, after the parallel
/// ones: on a two-core machine a concurrent vector sweep can starve the thread pool that the
/// default dispatcher and the test kit share, and the deadline would measure that instead.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class Deadlines
{
    public const string Name = "deadlines";
}
