using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ParallelDiff.Core.Export;

namespace ParallelDiff.Cli.Progress;

/// <summary>
/// --progress json: one JSON object per line and event, for programs:
/// {"event":"begin",…}, {"event":"start","id":…}, {"event":"warning",…},
/// {"event":"done"|"failed","snapshot":{…the report entry…}}, {"event":"end",…}.
/// </summary>
public sealed class JsonProgress(TextWriter output) : IExportProgress
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly Lock _gate = new();

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
    }

    public void Started(string id) => Emit("start", json => json.WriteString("id", id));

    public void Warning(string id, string message) => Emit("warning", json =>
    {
        json.WriteString("id", id);
        json.WriteString("message", message);
    });

    public void Finished(SnapshotReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        Emit(report.Status == SnapshotStatus.Failed ? "failed" : "done", json =>
        {
            json.WritePropertyName("snapshot");
            report.WriteTo(json);
        });
    }

    public Task EndAsync(IReadOnlyList<SnapshotReport> reports, double seconds, bool interrupted)
    {
        ArgumentNullException.ThrowIfNull(reports);
        Emit("end", json =>
        {
            json.WriteNumber("done", reports.Count(r => r.Status == SnapshotStatus.Done));
            json.WriteNumber("resumed", reports.Count(r => r.Status == SnapshotStatus.Resumed));
            json.WriteNumber("failed", reports.Count(r => r.Status == SnapshotStatus.Failed));
            json.WriteNumber("seconds", Math.Round(seconds, 3));
            json.WriteBoolean("interrupted", interrupted);
        });
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

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
            output.WriteLine(line);
            output.Flush();
        }
    }
}
