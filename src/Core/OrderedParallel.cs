using System.Runtime.ExceptionServices;

namespace ParallelDiff.Core;

/// <summary>
/// A map over a list on every core whose outcome is the loop's: results in the list's order, and
/// of several failures the first in that order. For per-item work with no side effects that a
/// bulk export does before anything else (parsing and planning 1,000 jobs took 40 ms on one core of a
/// warm export that lasts 0.3 s).
/// </summary>
public static class OrderedParallel
{
    /// <exception cref="Exception">What <paramref name="map"/> threw for the first failing item, as thrown.</exception>
    public static TResult[] Map<T, TResult>(IReadOnlyList<T> items, Func<T, int, TResult> map)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(map);
        var results = new TResult[items.Count];
        var failures = new ExceptionDispatchInfo?[items.Count];
        Parallel.For(0, items.Count, i =>
        {
            try
            {
                results[i] = map(items[i], i);
            }
            catch (Exception e)
            {
                failures[i] = ExceptionDispatchInfo.Capture(e);
            }
        });

        foreach (var failure in failures)
        {
            failure?.Throw();
        }

        return results;
    }
}
