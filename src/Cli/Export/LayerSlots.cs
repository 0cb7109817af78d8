namespace ParallelDiff.Cli.Export;

/// <summary>
/// The layers a bulk export may write at once (<see cref="Core.Export.ExportBudget.LayersInFlight"/>),
/// taken by the jobs that write one. A job whose layer comes from the --cache directory writes none
/// and holds next to no memory, so it takes no slot: a warm export runs its snapshots on every core
/// while the budget still keeps the big layers it must write one or two at a time (with the default
/// budget, one zstd layer in flight on two cores, which left a warm export of 1,000 snapshots on one).
/// </summary>
public sealed class LayerSlots(int count) : IDisposable
{
    private readonly SemaphoreSlim _free = new(count, count);

    /// <summary>Waits for a slot; disposing the result gives it back.</summary>
    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await _free.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Held(_free);
    }

    public void Dispose() => _free.Dispose();

    private sealed class Held(SemaphoreSlim free) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                free.Release();
            }
        }
    }
}
