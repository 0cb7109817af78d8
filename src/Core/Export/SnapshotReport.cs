using System.Text.Json;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Oci;

namespace ParallelDiff.Core.Export;

/// <summary>
/// What exporting one snapshot gave: its layer descriptor and diffID, the image it is tagged in
/// (bulk export), the differ that ran, bytes read from files (in) and written as the blob (out),
/// the time it took; or why it failed. One line of the journal, one entry of --report.
/// </summary>
public sealed record SnapshotReport(string Id, SnapshotStatus Status)
{
    /// <summary>Where the snapshot came from (<see cref="SnapshotSource.Describe"/>).</summary>
    public string? Source { get; init; }

    public LayerDescriptor? Layer { get; init; }

    /// <summary>The manifest of the image tagged with the id, when one was written.</summary>
    public OciDescriptor? Manifest { get; init; }

    /// <summary>The registry push of the image, when one was asked for and done.</summary>
    public PushRecord? Push { get; init; }

    /// <summary>"overlay" or "walking": which differ wrote the layer (auto may fall back).</summary>
    public string? Differ { get; init; }

    public int Entries { get; init; }

    /// <summary>File data read from the snapshot.</summary>
    public long BytesIn { get; init; }

    /// <summary>The uncompressed tar.</summary>
    public long TarBytes { get; init; }

    /// <summary>The blob, after compression.</summary>
    public long BytesOut { get; init; }

    public double Seconds { get; init; }

    public string? Error { get; init; }

    /// <summary>The cluster node (its name) that exported the snapshot; null in a local export.</summary>
    public string? Node { get; init; }

    /// <summary>"hit" when the layer was taken from a --cache directory, the snapshot unchanged since it was exported and not read; null otherwise.</summary>
    public string? Cache { get; init; }

    /// <summary>The report of a layer just exported.</summary>
    public static SnapshotReport Exported(string id, string? source, LayerExportResult result, double seconds)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new SnapshotReport(id, SnapshotStatus.Done)
        {
            Source = source,
            Layer = result.Descriptor,
            Differ = result.Tar.Differ == DifferKind.Walking ? "walking" : "overlay",
            Entries = result.Tar.Entries,
            BytesIn = result.Tar.DataBytes,
            TarBytes = result.TarBytes,
            BytesOut = result.Descriptor.Size,
            Seconds = seconds,
        };
    }

    /// <summary>
    /// The report of a snapshot that failed: the message of an I/O, snapshot or tar error is its own
    /// sentence (it names the path); any other exception is named by its type too.
    /// </summary>
    public static SnapshotReport Failed(string id, string? source, double seconds, Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new SnapshotReport(id, SnapshotStatus.Failed)
        {
            Source = source,
            Seconds = seconds,
            Error = error is IOException or Snapshots.SnapshotException or UnauthorizedAccessException or InvalidDataException or Tar.TarEncodingException
                ? error.Message.ReplaceLineEndings(" ")
                : $"{error.GetType().Name}: {error.Message.ReplaceLineEndings(" ")}",
        };
    }

    public static string StatusName(SnapshotStatus status) => status switch
    {
        SnapshotStatus.Done => "done",
        SnapshotStatus.Resumed => "resumed",
        _ => "failed",
    };

    /// <summary>One JSON object; keys in a fixed order, absent values left out.</summary>
    public void WriteTo(Utf8JsonWriter json)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject();
        json.WriteString("id", Id);
        json.WriteString("status", StatusName(Status));
        if (Source is not null)
        {
            json.WriteString("source", Source);
        }

        if (Layer is not null)
        {
            json.WritePropertyName("descriptor");
            Layer.WriteTo(json);
            json.WriteString("diffID", Layer.DiffId);
        }

        if (Manifest is not null)
        {
            json.WritePropertyName("manifest");
            Manifest.WriteTo(json);
        }

        if (Push is not null)
        {
            json.WritePropertyName("push");
            Push.WriteTo(json);
        }

        if (Status != SnapshotStatus.Failed)
        {
            json.WriteString("differ", Differ);
            json.WriteNumber("entries", Entries);
            json.WriteNumber("bytesIn", BytesIn);
            json.WriteNumber("tarBytes", TarBytes);
            json.WriteNumber("bytesOut", BytesOut);
        }

        json.WriteNumber("seconds", Math.Round(Seconds, 3));
        if (Error is not null)
        {
            json.WriteString("error", Error);
        }

        if (Node is not null)
        {
            json.WriteString("node", Node);
        }

        if (Cache is not null)
        {
            json.WriteString("cache", Cache);
        }

        json.WriteEndObject();
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote.</summary>
    /// <exception cref="InvalidDataException">A field is missing or of the wrong type.</exception>
    public static SnapshotReport FromJson(JsonElement element, string where)
    {
        try
        {
            var status = element.GetProperty("status").GetString() switch
            {
                "done" => SnapshotStatus.Done,
                "resumed" => SnapshotStatus.Resumed,
                "failed" => SnapshotStatus.Failed,
                var other => throw new InvalidDataException($"{where}: unknown status \"{other}\""),
            };
            LayerDescriptor? layer = null;
            if (element.TryGetProperty("descriptor", out var d))
            {
                layer = new LayerDescriptor(
                    MediaTypes.FromJson(d.GetProperty("mediaType")),
                    d.GetProperty("digest").GetString()!,
                    d.GetProperty("size").GetInt64(),
                    element.GetProperty("diffID").GetString()!)
                {
                    Annotations = LayerDescriptor.FormatAnnotations(d),
                };
            }

            return new SnapshotReport(element.GetProperty("id").GetString()!, status)
            {
                Source = Optional(element, "source"),
                Layer = layer,
                Manifest = element.TryGetProperty("manifest", out var m) ? OciDescriptor.FromJson(m, where) : null,
                Push = element.TryGetProperty("push", out var p) ? PushRecord.FromJson(p) : null,
                Differ = Optional(element, "differ"),
                Entries = element.TryGetProperty("entries", out var entries) ? entries.GetInt32() : 0,
                BytesIn = element.TryGetProperty("bytesIn", out var bytesIn) ? bytesIn.GetInt64() : 0,
                TarBytes = element.TryGetProperty("tarBytes", out var tarBytes) ? tarBytes.GetInt64() : 0,
                BytesOut = element.TryGetProperty("bytesOut", out var bytesOut) ? bytesOut.GetInt64() : 0,
                Seconds = element.TryGetProperty("seconds", out var seconds) ? seconds.GetDouble() : 0,
                Error = Optional(element, "error"),
                Node = Optional(element, "node"),
                Cache = Optional(element, "cache"),
            };
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{where}: not a snapshot report: {e.Message}", e);
        }
    }

    private static string? Optional(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
