namespace ParallelDiff.Cli.Progress;

/// <summary>
/// Calls a view's sampler every interval on a pool thread, from <see cref="Start"/> until
/// <see cref="StopAsync"/>: the layers only add to their meters, and the view reads them at this
/// bounded rate, whatever the layers' speed.
/// </summary>
public sealed class LayerSampling(TimeSpan interval, Action sample) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public void Start() => _loop ??= Task.Run(RunAsync);

    /// <summary>Stops the loop and waits for a sample in progress to end: nothing is written after this returns.</summary>
    public async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        if (_loop is { } loop)
        {
            await loop.ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                sample();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }
}
