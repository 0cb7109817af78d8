using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ParallelDiff.Core.Export;

/// <summary>
/// One snapshot of a bulk export: the id it is tagged and reported under, where it comes from,
/// and the layer settings it overrides (compression, level, differ; null takes the command's).
/// </summary>
public sealed record ExportJob(string Id, SnapshotSource Source)
{
    /// <summary>none|gzip|zstd|lz4|zstd:chunked|estargz, or null for the command's --compression.</summary>
    public string? Compression { get; init; }

    public int? Level { get; init; }

    /// <summary>auto|overlay|walking, or null for the command's --differ.</summary>
    public string? Differ { get; init; }

    /// <summary>A registry reference (REGISTRY/REPOSITORY:TAG) to push this job's image to, over the command's --push; never part of the fingerprint (it does not change the bytes).</summary>
    public string? Push { get; init; }

    /// <summary>
    /// "node": the cluster node (its --name) that must export this job, for a snapshot only that
    /// machine holds; null lets any node that can read the snapshot take it. A local export ignores
    /// it, and it is not part of the fingerprint (it does not change the bytes).
    /// </summary>
    public string? Node { get; init; }

    /// <summary>"base": "LAYOUT:TAG": the layout (absolute) and tag of the image this job's image is built on, or null.</summary>
    public (string Layout, string Tag)? Base { get; init; }

    /// <summary>
    /// "lower-layers": true: the stack's lower snapshots are layers of the job's image too (bottom
    /// first, under the job's own), each exported once per layout however many jobs share it.
    /// </summary>
    public bool LowerLayers { get; init; }

    /// <summary>The job's own image settings ("cmd", "env", "labels", …), over the command's flags; null when it gives none.</summary>
    public ImageFields? Image { get; init; }

    /// <summary>
    /// A digest of everything that decides this job's blob: the job as resolved (paths made absolute)
    /// and the effective settings the caller passes. A journal entry counts for a rerun only under the
    /// same fingerprint, so editing a job or a setting between runs redoes that job.
    /// </summary>
    /// <param name="effectiveSettings">The settings that decide the bytes, in a stable text form (compression, block size, layer options).</param>
    public string Fingerprint(string effectiveSettings)
    {
        var buffer = t_fingerprintText ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", Id);
            Write(json, "upper", Source.Upper);
            if (Source.Lowers is { } lowers)
            {
                json.WriteStartArray("lower");
                foreach (var lower in lowers)
                {
                    json.WriteStringValue(lower);
                }

                json.WriteEndArray();
            }

            Write(json, "from", Source.From);
            Write(json, "to", Source.To);
            Write(json, "mount-options", Source.MountOptions);
            Write(json, "mountpoint", Source.MountPoint);
            Write(json, "docker-layer", Source.DockerLayer);
            Write(json, "mount-json", Source.MountJsonPath);
            Write(json, "mounts", Source.MountJson);
            json.WriteBoolean("userxattr", Source.UserXattr);
            Write(json, "compression", Compression);
            if (Level is { } level)
            {
                json.WriteNumber("level", level);
            }

            Write(json, "differ", Differ);
            if (LowerLayers)
            {
                json.WriteBoolean("lower-layers", true);
            }

            json.WriteString("settings", effectiveSettings);
            json.WriteEndObject();
        }

        return Sha256Text.Of(buffer.WrittenSpan);
    }

    // One buffer per thread, kept: Utf8JsonWriter asks room for a string's worst escaping (six bytes
    // a character), so the settings text made every job's buffer grow anew: two thirds of the time
    // planning a job took went on zeroing those arrays.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_fingerprintText;

    private static void Write(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    /// <summary>For messages: the id and where the snapshot comes from.</summary>
    public override string ToString() => new StringBuilder(Id).Append(" (").Append(Source.Describe()).Append(')').ToString();
}
