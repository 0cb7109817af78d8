using System.Globalization;
using ParallelDiff.Core.Export;
using ParallelDiff.Core.Layers;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace ParallelDiff.Cli.Progress;

/// <summary>
/// On a terminal: a live view redrawn in place (overall bar, moved by finished layers and by the
/// bytes of running ones; MB/s in and out; each running layer's bytes, total, rate and ETA). Failures and warnings are kept and printed under
/// the final view, so they do not scroll the live region away.
/// </summary>
public sealed class LiveProgress : IExportProgress
{
    private const int BarWidth = 40;
    private const int RunningShown = 8;

    private readonly IAnsiConsole _console;
    private readonly TextWriter _output;
    private readonly string _destination;
    private readonly TimeSpan _interval;
    private readonly ExportTally _tally = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _warnings = [];
    private string _budget = string.Empty;
    private Task? _view;

    /// <param name="interval">How often the view is redrawn (progress.interval-ms).</param>
    public LiveProgress(TextWriter output, string destination, TimeSpan interval)
    {
        _output = output;
        _destination = destination;
        _interval = interval;
        _console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
    }

    public void Begin(int total, IReadOnlyList<SnapshotReport> resumed, ExportBudget budget)
    {
        ArgumentNullException.ThrowIfNull(resumed);
        ArgumentNullException.ThrowIfNull(budget);
        _tally.Begin(total, resumed.Count);
        _budget = budget.ToString();
        _view = _console.Live(Render()).AutoClear(false).StartAsync(async context =>
        {
            while (!_stop.IsCancellationRequested)
            {
                context.UpdateTarget(Render());
                try
                {
                    await Task.Delay(_interval, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // The run ended: draw the final state once more below.
                }
            }

            context.UpdateTarget(Render());
        });
    }

    public bool WatchesBytes => true;

    public void Started(string id, LayerMeter? meter) => _tally.Started(id, meter);

    public void Warning(string id, string message)
    {
        lock (_warnings)
        {
            _warnings.Add($"{id}: warning: {message}");
        }
    }

    public void Finished(SnapshotReport report) => _tally.Finished(report);

    public async Task EndAsync(IReadOnlyList<SnapshotReport> reports, double seconds, bool interrupted)
    {
        await StopViewAsync().ConfigureAwait(false);
        lock (_warnings)
        {
            foreach (var warning in _warnings)
            {
                _output.WriteLine(warning);
            }
        }

        foreach (var failure in _tally.Failures())
        {
            _output.WriteLine($"{failure.Id} failed: {failure.Error}");
        }

        _output.WriteLine(PlainProgress.Summary(_tally, interrupted));
    }

    public async ValueTask DisposeAsync()
    {
        await StopViewAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task StopViewAsync()
    {
        if (_view is { } view)
        {
            _view = null;
            await _stop.CancelAsync().ConfigureAwait(false);
            await view.ConfigureAwait(false);
        }
    }

    private Rows Render()
    {
        var ended = _tally.Ended;
        var total = Math.Max(_tally.Total, 1);
        var share = Math.Min(_tally.EndedWithShares / total, 1.0);
        var filled = (int)Math.Round(BarWidth * share);
        var elapsed = _tally.Elapsed;
        var lines = new List<IRenderable>
        {
            new Markup(Invariant($"[bold]export[/] {_tally.Total} snapshots → {Markup.Escape(_destination)}  [grey]({Markup.Escape(_budget)})[/]")),
            new Markup(Invariant($"[green]{new string('█', filled)}[/][grey]{new string('░', BarWidth - filled)}[/] {100.0 * share,5:0.0}%  ")
                + Invariant($"{ended}/{_tally.Total} layers  [green]{_tally.Done} done[/]  {_tally.Resumed} resumed  ")
                + (_tally.Failed > 0 ? Invariant($"[red]{_tally.Failed} failed[/]") : "0 failed")),
            new Markup(Invariant($"in {ExportTally.MegabytesPerSecond(_tally.BytesInNow, elapsed),7:0.0} MB/s   out {ExportTally.MegabytesPerSecond(_tally.BytesOutNow, elapsed),7:0.0} MB/s   ")
                + Invariant($"{_tally.Running} running   elapsed {elapsed:h\\:mm\\:ss}")),
        };
        var running = _tally.RunningLayers();
        if (running.Count > 0)
        {
            var table = new Table().Border(TableBorder.Simple)
                .AddColumn("running")
                .AddColumn(new TableColumn("read").RightAligned())
                .AddColumn(new TableColumn("of").RightAligned())
                .AddColumn(new TableColumn("MB/s").RightAligned())
                .AddColumn(new TableColumn("written").RightAligned())
                .AddColumn(new TableColumn("ETA").RightAligned())
                .AddColumn(new TableColumn("seconds").RightAligned());
            foreach (var layer in running.Take(RunningShown))
            {
                table.AddRow(
                    Markup.Escape(layer.Id),
                    PlainProgress.Size(layer.BytesIn),
                    layer.TotalIn > 0 ? (layer.TotalKnown ? string.Empty : "≥ ") + PlainProgress.Size(layer.TotalIn) : "?",
                    Invariant($"{layer.BytesInPerSecond / 1e6:0.0}"),
                    PlainProgress.Size(layer.BytesOut),
                    layer.Eta is { } eta ? LayerSample.Clock(eta) : "-",
                    layer.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture));
            }

            if (running.Count > RunningShown)
            {
                table.Caption(Invariant($"and {running.Count - RunningShown} more"));
            }

            lines.Add(table);
        }

        return new Rows(lines);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
