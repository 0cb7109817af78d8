using System.Globalization;
using ParallelDiff.Core.Export;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace ParallelDiff.Cli.Progress;

/// <summary>
/// On a terminal: a live view redrawn in place (overall bar, layers done of total, MB/s in and out,
/// the snapshots that have been running longest). Failures and warnings are kept and printed under
/// the final view, so they do not scroll the live region away.
/// </summary>
public sealed class LiveProgress : IExportProgress
{
    private const int BarWidth = 40;
    private const int SlowestShown = 5;

    private readonly IAnsiConsole _console;
    private readonly TextWriter _output;
    private readonly string _destination;
    private readonly ExportTally _tally = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _warnings = [];
    private string _budget = string.Empty;
    private Task? _view;

    public LiveProgress(TextWriter output, string destination)
    {
        _output = output;
        _destination = destination;
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
                    await Task.Delay(250, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // The run ended: draw the final state once more below.
                }
            }

            context.UpdateTarget(Render());
        });
    }

    public void Started(string id) => _tally.Started(id);

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
        var filled = (int)Math.Round(BarWidth * (double)ended / total);
        var elapsed = _tally.Elapsed;
        var lines = new List<IRenderable>
        {
            new Markup(Invariant($"[bold]export[/] {_tally.Total} snapshots → {Markup.Escape(_destination)}  [grey]({Markup.Escape(_budget)})[/]")),
            new Markup(Invariant($"[green]{new string('█', filled)}[/][grey]{new string('░', BarWidth - filled)}[/] {100.0 * ended / total,5:0.0}%  ")
                + Invariant($"{ended}/{_tally.Total} layers  [green]{_tally.Done} done[/]  {_tally.Resumed} resumed  ")
                + (_tally.Failed > 0 ? Invariant($"[red]{_tally.Failed} failed[/]") : "0 failed")),
            new Markup(Invariant($"in {ExportTally.MegabytesPerSecond(_tally.BytesIn, elapsed),7:0.0} MB/s   out {ExportTally.MegabytesPerSecond(_tally.BytesOut, elapsed),7:0.0} MB/s   ")
                + Invariant($"{_tally.Running} running   elapsed {elapsed:h\\:mm\\:ss}")),
        };
        var slowest = _tally.Slowest(SlowestShown);
        if (slowest.Count > 0)
        {
            var table = new Table().Border(TableBorder.Simple).AddColumn("slowest running").AddColumn(new TableColumn("seconds").RightAligned());
            foreach (var (id, running) in slowest)
            {
                table.AddRow(Markup.Escape(id), running.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture));
            }

            lines.Add(table);
        }

        return new Rows(lines);
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
