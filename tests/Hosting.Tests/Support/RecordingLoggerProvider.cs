using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ParallelDiff.Hosting.Tests.Support;

/// <summary>An ILoggerProvider that keeps every record it is given, for a test to look for one.</summary>
public sealed class RecordingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<LogRecord> _records = new();

    public IReadOnlyCollection<LogRecord> Records => _records;

    public ILogger CreateLogger(string categoryName) => new RecordingLogger(categoryName, _records);

    /// <summary>The first record that matches, waiting for it: Akka logs from its own threads.</summary>
    public async Task<LogRecord> WaitForAsync(Func<LogRecord, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            if (_records.FirstOrDefault(match) is { } found)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no such log record among {_records.Count}:\n{string.Join('\n', _records.Take(40))}");
            }

            await Task.Delay(20);
        }
    }

    public void Dispose()
    {
    }

    public sealed record LogRecord(string Category, LogLevel Level, string Message, Exception? Exception);

    private sealed class RecordingLogger(string category, ConcurrentQueue<LogRecord> records) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            records.Enqueue(new LogRecord(category, logLevel, formatter(state, exception), exception));
    }
}
