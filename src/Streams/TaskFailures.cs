namespace ParallelDiff.Streams;

/// <summary>
/// SelectAsync fails the stream with a faulted task's exception; when the task had already
/// faulted by the time the stage looked at it, that is the AggregateException wrapper rather
/// than the cause (seen as flaky test failures). Callers must see the cause itself: the
/// FsException that names the file.
/// </summary>
internal static class TaskFailures
{
    public static Exception Unwrap(Exception error) =>
        error is AggregateException { InnerExceptions.Count: 1 } aggregate ? Unwrap(aggregate.InnerExceptions[0]) : error;
}
