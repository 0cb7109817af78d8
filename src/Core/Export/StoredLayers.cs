using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Oci;

namespace ParallelDiff.Core.Export;

/// <summary>
/// Which layer blob of a layout each snapshot gave, so a snapshot exported once is not read again
/// for the same layout: a base layer shared by many images, or the lower snapshots of many export
/// jobs. A record is one small file, .paralleldiff/layers/HEX.json, named by the snapshot's
/// <see cref="StoredLayerKeys">key</see> (its tree's stat print and the settings that decide the
/// bytes, or a --cache directory's <see cref="SnapshotCacheKeys">key</see>) and holding the layer's
/// report and, in a --cache directory, the <see cref="ConsultedLowers"/> the layer depends on. It
/// is written only after its blob is durable, and it is
/// trusted only while the blob it names is present with its size and digest; OCI readers and the
/// archive see only oci-layout, index.json and blobs/.
/// </summary>
public sealed class StoredLayers(OciLayout layout)
{
    /// <summary>About the size of a record: read in one go, then its end.</summary>
    private const int RecordSizeGuess = 4096;

    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // The consulted lower paths of records read so far, by their exact JSON bytes: the snapshots of
    // a bulk export over one base mostly consulted the same paths, and each record inflated, split
    // and copied them again (a DeflateStream, its zlib state and buffers a snapshot). The same bytes
    // always parse to the same immutable object, so sharing it changes no answer. Bounded: a cache
    // of many different bases stops adding, it does not grow without end.
    private const int ConsultedMemoLimit = 4096;
    private readonly ConcurrentDictionary<byte[], ConsultedLowers> _consulted = new(ByteArrayComparer.Instance);

    // Whether the records' file system reads short only at a file's end (ShortReads.End), asked
    // once: then a record smaller than the guess is read in one call, not confirmed by an empty one.
    private readonly Lazy<bool> _shortReadsEnd = new(() => ShortReads.End(PathBytes.FromString(layout.Root)));

    /// <summary>Where the records are kept.</summary>
    public string Directory { get; } = Path.Combine(layout.Root, ".paralleldiff", "layers");

    /// <summary>
    /// The stored layer of the snapshot with <paramref name="key"/>, as a report of
    /// <paramref name="id"/> marked <see cref="SnapshotStatus.Resumed"/>; null when there is none
    /// or its blob is not intact, with <paramref name="why"/> saying why a record was not taken.
    /// </summary>
    public SnapshotReport? Find(string key, string id, StoredBlobs blobs, out string? why)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        if (Read(key, out why) is not { } record)
        {
            return null;
        }

        if (Fault(record, blobs) is { } fault)
        {
            why = fault;
            return null;
        }

        return record.Report with { Id = id, Status = SnapshotStatus.Resumed, Seconds = 0 };
    }

    /// <summary>
    /// The record kept under <paramref name="key"/>, its blob not yet checked (see
    /// <see cref="Fault"/>); null when there is none, or when it cannot be read or names no layer,
    /// with <paramref name="why"/> saying so (a torn record reads as none).
    /// </summary>
    public StoredLayerRecord? Read(string key, out string? why)
    {
        why = null;
        var path = PathOf(key);
        // open, pread and close (PlainRead): a warm --cache export reads one record per snapshot,
        // by name in the records directory held open once there is one.
        var handle = DirectoryHandle.TryOpenFileIn(ref _recordsHandle, Directory, Path.GetFileName(path.AsSpan()), out var errno);
        if (handle is null)
        {
            return PlainRead.IsMissing(errno) ? null : throw new FsException("open", path, errno);
        }

        PooledBytes bytes;
        using (handle)
        {
            bytes = PlainRead.ReadAllPooled(handle, path, RecordSizeGuess, int.MaxValue - 64, _shortReadsEnd.Value);
        }

        StoredLayerRecord record;
        using (bytes)
        {
            try
            {
                using var document = JsonDocument.Parse(bytes.Memory);
                var root = document.RootElement;
                if (root.GetProperty("key").GetString() != key)
                {
                    why = $"{path} names another snapshot";
                    return null;
                }

                record = new StoredLayerRecord(
                    SnapshotReport.FromJson(root.GetProperty("report"), path),
                    root.TryGetProperty("consulted", out var consulted) ? ConsultedOf(consulted) : null);
            }
            catch (Exception e) when (e is JsonException or InvalidDataException or KeyNotFoundException or InvalidOperationException)
            {
                why = $"{path} is not a stored-layer record ({e.Message})";
                return null;
            }
        }

        if (record.Report.Layer is null)
        {
            why = $"{path} names no layer";
            return null;
        }

        return record;
    }

    /// <summary>Why the blob <paramref name="record"/> names cannot be used (missing, damaged), or null when it is intact.</summary>
    public static string? Fault(StoredLayerRecord record, StoredBlobs blobs)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(blobs);
        var layer = record.Report.Layer!;
        return blobs.Fault(layer.Digest, layer.Size) is { } fault ? $"its stored layer {layer.Digest} {fault}" : null;
    }

    /// <summary>Records that the snapshot with <paramref name="key"/> gave <paramref name="report"/>'s layer, whose blob must already be durable in the layout.</summary>
    /// <param name="durable">False for records that may be lost (a --cache directory's): a torn one reads as no record.</param>
    /// <param name="consulted">The lower paths the layer depends on, checked before it is taken again (a --cache directory's records).</param>
    public void Record(string key, SnapshotReport report, bool durable = true, ConsultedLowers? consulted = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.Layer is null)
        {
            throw new ArgumentException("a stored layer needs its descriptor", nameof(report));
        }

        System.IO.Directory.CreateDirectory(Directory);
        using var output = AtomicOutputFile.Create(PathOf(key), durable);
        using (var json = new Utf8JsonWriter(output.Stream, JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("key", key);
            json.WritePropertyName("report");
            // No time taken: the same snapshot and settings always write the same record.
            (report with { Status = SnapshotStatus.Done, Seconds = 0 }).WriteTo(json);
            if (consulted is not null)
            {
                json.WritePropertyName("consulted");
                consulted.WriteTo(json);
            }

            json.WriteEndObject();
        }

        output.Commit();
    }

    private ConsultedLowers ConsultedOf(JsonElement element)
    {
        var raw = JsonMarshal.GetRawUtf8Value(element);
        var lookup = _consulted.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (lookup.TryGetValue(raw, out var known))
        {
            return known;
        }

        var parsed = ConsultedLowers.FromJson(element);
        if (_consulted.Count < ConsultedMemoLimit)
        {
            _consulted.TryAdd(raw.ToArray(), parsed);
        }

        return parsed;
    }

    // The records directory held open (DirectoryHandle), once it exists: until then each look-up
    // tries to open it, as a cold cache has no records to find anyway.
    private DirectoryHandle? _recordsHandle;

    // One string a record: a warm --cache export looks one up for every snapshot.
    private string PathOf(string key) => string.Concat(Directory, "/", OciDigest.HexSpan(key), ".json");
}
