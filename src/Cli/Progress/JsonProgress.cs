using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ParallelDiff.Core.Export;
using ParallelDiff.Core.Layers;

namespace ParallelDiff.Cli.Progress;

/// <summary>
/// --progress json: one JSON object per line and event, for programs:
/// {"event":"begin",…}, {"event":"start","id":…}, {"event":"warning",…},
/// {"event":"progress","id":…,"bytesIn":N,"bytesOut":N,"totalIn":N,"totalKnown":B,"seconds":S} for each
/// running layer whose counts moved, every <c>interval</c> and once more with its final counts as it ends,
/// {"event":"done"|"failed","snapshot":{…the report entry…}}, {"event":"end",…}.
/// </summary>
public sealed class JsonProgress : IExportProgress
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly Lock _gate = new();
    private readonly Lock _layers = new();
    private readonly TextWriter _output;
    private readonly ExportTally _tally = new();
    private readonly Dictionary<string, (long In, long Out, long Total)> _lastSent = new(StringComparer.Ordinal);
    private readonly LayerSampling _sampling;

    /// <param name="interval">How often running layers' counts are sampled (progress.interval-ms).</param>
    public JsonProgress(TextWriter output, TimeSpan interval)
    {
        _output = output;
        _sampling = new LayerSampling(interval, SendProgress);
    }

    public bool WatchesBytes => true;

    public void Begin(int total, IReadOnlyList<SnapshotReport> resumed, ExportBudget budget)
    {
        ArgumentNullException.ThrowIfNull(resumed);
        ArgumentNullException.ThrowIfNull(budget);
        Emit("begin", json =>
        {
            json.WriteNumber("total", total);
            json.WriteNumber("resumed", resumed.Count);
            json.WriteNumber("layersInFlight", budget.LayersInFlight);
            json.WriteNumber("perLayerParallelism", budget.PerLayerParallelism);
        });
        _sampling.Start();
    }

    public void Started(string id, LayerMeter? meter)
    {
        _tally.Started(id, meter);
        Emit("start", json => json.WriteString("id", id));
    }

    public void StartedOn(string id, string node)
    {
        _tally.Started(id);
        Emit("start", json =>
        {
            json.WriteString("id", id);
            json.WriteString("node", node);
        });
    }

    public void Warning(string id, string message) => Emit("warning", json =>
    {
        json.WriteString("id", id);
        json.WriteString("message", message);
    });

    public void Finished(SnapshotReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        lock (_layers)
        {
            // Under the samplers' lock: no progress event of this layer can follow its end.
            if (report.Status != SnapshotStatus.Failed && _tally.RunningLayer(report.Id) is { } last)
            {
                // The last word on its bytes comes before "done", and says the same as the report.
                Progress(last, force: true);
            }

            _tally.Finished(report);
        }

        Emit(report.Status == SnapshotStatus.Failed ? "failed" : "done", json =>
        {
            json.WritePropertyName("snapshot");
            report.WriteTo(json);
        });
    }

    public async Task EndAsync(IReadOnlyList<SnapshotReport> reports, double seconds, bool interrupted)
    {
        ArgumentNullException.ThrowIfNull(reports);
        await _sampling.StopAsync().ConfigureAwait(false);
        Emit("end", json =>
        {
            json.WriteNumber("done", reports.Count(r => r.Status == SnapshotStatus.Done));
            json.WriteNumber("resumed", reports.Count(r => r.Status == SnapshotStatus.Resumed));
            json.WriteNumber("failed", reports.Count(r => r.Status == SnapshotStatus.Failed));
            json.WriteNumber("seconds", Math.Round(seconds, 3));
            json.WriteBoolean("interrupted", interrupted);
        });
    }

    public async ValueTask DisposeAsync() => await _sampling.DisposeAsync().ConfigureAwait(false);

    private void SendProgress()
    {
        lock (_layers)
        {
            foreach (var sample in _tally.RunningLayers())
            {
                Progress(sample, force: false);
            }
        }
    }

    /// <summary>A progress event (the caller holds the layers' lock), unless the layer's counts have not moved since the last one (and it is not the last).</summary>
    private void Progress(LayerSample sample, bool force)
    {
        var counts = (sample.BytesIn, sample.BytesOut + sample.BytesPushed, sample.TotalIn);
        if (force)
        {
            _lastSent.Remove(sample.Id);
        }
        else if (_lastSent.TryGetValue(sample.Id, out var last) && last == counts)
        {
            return;
        }
        else
        {
            _lastSent[sample.Id] = counts;
        }

        Emit("progress", json =>
        {
            json.WriteString("id", sample.Id);
            json.WriteNumber("bytesIn", sample.BytesIn);
            json.WriteNumber("bytesOut", sample.BytesOut);
            if (sample.BytesPushed > 0)
            {
                json.WriteNumber("bytesPushed", sample.BytesPushed);
            }

            json.WriteNumber("totalIn", sample.TotalIn);
            json.WriteBoolean("totalKnown", sample.TotalKnown);
            json.WriteNumber("seconds", Math.Round(sample.Elapsed.TotalSeconds, 3));
        });
    }

    private void Emit(string name, Action<Utf8JsonWriter> fields)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteString("event", name);
            fields(json);
            json.WriteEndObject();
        }

        var line = Encoding.UTF8.GetString(buffer.ToArray());
        lock (_gate)
        {
            _output.WriteLine(line);
            _output.Flush();
        }
    }
}
