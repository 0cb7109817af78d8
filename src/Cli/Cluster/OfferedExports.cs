namespace ParallelDiff.Cli.Cluster;

/// <summary>
/// A node's <see cref="OfferedExport"/>s, one per coordinator and forwarded command line, made on
/// a coordinator's first offer and closed once it has left and none of its jobs still runs (a job
/// in hand when its coordinator dies keeps its session to the end).
/// </summary>
internal sealed class OfferedExports(Settings settings) : IAsyncDisposable
{
    private readonly object _lock = new();
    private readonly Dictionary<(string Coordinator, string Arguments), Entry> _open = [];
    private readonly Dictionary<OfferedExport, Entry> _inUse = [];

    /// <summary>The export these offers belong to, held until <see cref="ReleaseAsync"/>.</summary>
    /// <exception cref="UsageException">The arguments do not parse here (another version's options).</exception>
    public OfferedExport Acquire(string coordinator, IReadOnlyList<string> arguments)
    {
        // NUL cannot occur in an argument: the joined list names one command line.
        var key = (coordinator, string.Join('\0', arguments));
        lock (_lock)
        {
            if (!_open.TryGetValue(key, out var entry))
            {
                entry = new Entry(OfferedExport.Parse(arguments, settings), coordinator);
                _open[key] = entry;
                _inUse[entry.Export] = entry;
            }

            entry.Users++;
            return entry.Export;
        }
    }

    public ValueTask ReleaseAsync(OfferedExport export)
    {
        lock (_lock)
        {
            var entry = _inUse[export];
            if (--entry.Users > 0 || !entry.Forgotten)
            {
                return ValueTask.CompletedTask;
            }

            _inUse.Remove(export);
        }

        return export.DisposeAsync();
    }

    /// <summary>Closes the coordinator's exports now, or as their last running job ends.</summary>
    public async Task ForgetAsync(string coordinator)
    {
        List<OfferedExport> idle = [];
        lock (_lock)
        {
            foreach (var (key, entry) in _open.Where(e => e.Value.Coordinator == coordinator).ToList())
            {
                _open.Remove(key);
                entry.Forgotten = true;
                if (entry.Users == 0)
                {
                    _inUse.Remove(entry.Export);
                    idle.Add(entry.Export);
                }
            }
        }

        foreach (var export in idle)
        {
            await export.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<OfferedExport> all;
        lock (_lock)
        {
            all = [.. _inUse.Keys];
            _inUse.Clear();
            _open.Clear();
        }

        foreach (var export in all)
        {
            await export.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed class Entry(OfferedExport export, string coordinator)
    {
        public OfferedExport Export { get; } = export;

        public string Coordinator { get; } = coordinator;

        public int Users { get; set; }

        public bool Forgotten { get; set; }
    }
}
