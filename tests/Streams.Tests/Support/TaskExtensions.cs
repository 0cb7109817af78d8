namespace ParallelDiff.Streams.Tests.Support;

internal static class TaskExtensions
{
    /// <summary>Awaits a (materialized-value task, sink task) pair from Keep.Both.</summary>
    public static async Task<(T1, T2)> Await<T1, T2>(this (Task<T1> First, Task<T2> Second) tasks) =>
        (await tasks.First, await tasks.Second);
}
