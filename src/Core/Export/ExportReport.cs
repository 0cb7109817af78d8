using System.Text.Encodings.Web;
using System.Text.Json;
using ParallelDiff.Core.Layers;

namespace ParallelDiff.Core.Export;

/// <summary>
/// The --report file: every snapshot's outcome, sorted by id so that two runs over the same jobs
/// list them alike, then the counts. Written once at the end, atomically (the journal is what
/// survives a crash; the report is what a person or a script reads afterwards).
/// </summary>
public static class ExportReport
{
    /// <summary>Media types carry '+': written as is, as other container tools do, not as \u002B.</summary>
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true };

    /// <summary>{"snapshots":[…],"done":N,"resumed":N,"failed":N,"seconds":S}.</summary>
    public static byte[] ToJson(IEnumerable<SnapshotReport> reports, double seconds)
    {
        ArgumentNullException.ThrowIfNull(reports);
        var sorted = reports.OrderBy(r => r.Id, StringComparer.Ordinal).ToList();
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteStartArray("snapshots");
            foreach (var report in sorted)
            {
                report.WriteTo(json);
            }

            json.WriteEndArray();
            json.WriteNumber("done", sorted.Count(r => r.Status == SnapshotStatus.Done));
            json.WriteNumber("resumed", sorted.Count(r => r.Status == SnapshotStatus.Resumed));
            json.WriteNumber("failed", sorted.Count(r => r.Status == SnapshotStatus.Failed));
            json.WriteNumber("seconds", Math.Round(seconds, 3));
            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>Writes the report to <paramref name="path"/>: complete or absent (temporary file, fsync, rename).</summary>
    public static void Write(string path, IEnumerable<SnapshotReport> reports, double seconds)
    {
        using var file = AtomicOutputFile.Create(path);
        file.Stream.Write(ToJson(reports, seconds));
        file.Commit();
    }
}
