using System.Text;
using ParallelDiff.Core.Export;
using ParallelDiff.Core.Layers;

namespace ParallelDiff.Cli.Progress;

/// <summary>
/// diff and image on a terminal: one line per running layer (bytes read of its file data, rate,
/// bytes written, ETA), redrawn in place and gone once the layer is written, so that what stays on
/// the screen is only what the command prints. A layer quicker than one interval never shows.
/// </summary>
public sealed class LiveLayerLines : IExportProgress
{
    private const string Escape = "\u001b[";

    private readonly TextWriter _output;
    private readonly TimeSpan _interval;
    private readonly ExportTally _tally = new();
    private readonly LayerSampling _sampling;
    private readonly Lock _gate = new();
    private int _drawn;

    /// <param name="interval">How often the lines are redrawn (progress.interval-ms).</param>
    public LiveLayerLines(TextWriter output, TimeSpan interval)
    {
        _output = output;
        _interval = interval;
        _sampling = new LayerSampling(interval, Redraw);
    }

    public bool WatchesBytes => true;

    public void Begin(int total, IReadOnlyList<SnapshotReport> resumed, ExportBudget budget) => _sampling.Start();

    public void Started(string id, LayerMeter? meter) => _tally.Started(id, meter);

    /// <summary>Printed above the lines, which the next redraw puts back.</summary>
    public void Warning(string id, string message)
    {
        lock (_gate)
        {
            _output.Write(Clear() + message + "\n");
            _output.Flush();
        }
    }

    public void Finished(SnapshotReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        _tally.Finished(report);
        Redraw();
    }

    public async Task EndAsync(IReadOnlyList<SnapshotReport> reports, double seconds, bool interrupted) => await EraseAsync().ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        await EraseAsync().ConfigureAwait(false);
        await _sampling.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Stops redrawing and takes the lines away: the command's own output or error follows on a clean screen.</summary>
    private async Task EraseAsync()
    {
        await _sampling.StopAsync().ConfigureAwait(false);
        lock (_gate)
        {
            _output.Write(Clear());
            _output.Flush();
        }
    }

    private void Redraw()
    {
        var width = Width();
        var lines = _tally.RunningLayers()
            .Where(layer => layer.Elapsed >= _interval)
            .Select(layer => Fit(layer.Describe(), width))
            .ToList();
        lock (_gate)
        {
            var text = new StringBuilder(Clear());
            foreach (var line in lines)
            {
                text.Append(line).Append('\n');
            }

            _drawn = lines.Count;
            _output.Write(text.ToString());
            _output.Flush();
        }
    }

    /// <summary>The escape codes that take the drawn lines away (the caller holds the lock); empty when none are drawn.</summary>
    private string Clear()
    {
        if (_drawn == 0)
        {
            return string.Empty;
        }

        // CSI n F: up n lines, to their start; CSI J: erase from there to the end of the screen.
        var codes = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Escape}{_drawn}F{Escape}J");
        _drawn = 0;
        return codes;
    }

    /// <summary>A line longer than the terminal would wrap, and the cursor-up count would miss the extra row.</summary>
    private static string Fit(string line, int width) => line.Length < width ? line : line[..Math.Max(1, width - 1)];

    private static int Width()
    {
        try
        {
            return Console.WindowWidth is > 0 and var w ? w : 80;
        }
        catch (IOException)
        {
            return 80;
        }
    }
}
