using System.Text.Json;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Core.Sources;

/// <summary>
/// A snapshot's mount as containerd hands it out (core/mount.Mount in JSON:
/// [{"type":"overlay","source":"overlay","options":[…]}]): an overlay for a snapshot with parents,
/// or a bind of the snapshot's own directory for a bottom-most one (plugins/snapshots/overlay, mounts()).
/// </summary>
public sealed record ContainerdMount(string Type, string Source, IReadOnlyList<string> Options)
{
    /// <summary>
    /// Options containerd's mount code turns into mount(2) flags instead of passing them to the file
    /// system (core/mount/mount_linux.go, parseMountOptions); everything else becomes the data string.
    /// </summary>
    private static readonly HashSet<string> MountFlags = new(StringComparer.Ordinal)
    {
        "async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "mand", "noatime", "nodev", "nodiratime",
        "noexec", "nomand", "norelatime", "nostrictatime", "nosuid", "rbind", "relatime", "remount", "ro", "rw",
        "strictatime", "suid", "sync", "private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable", "runbindable",
    };

    /// <summary>
    /// Null when BuildKit's overlay differ would take this mount as the only (upper) mount: a bind,
    /// or an overlay whose options it knows; otherwise the reason.
    /// </summary>
    public string? BuildKitCompatibility => Type == "bind" ? null : BuildKitOverlayCompatibility.Check(Options);

    /// <summary>The one mount in containerd's JSON list (a file's content, or stdin).</summary>
    /// <exception cref="SnapshotException">Not JSON, not a list of one mount, or a mount without type or source; the message names origin.</exception>
    public static ContainerdMount Parse(string json, string origin)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
            {
                throw new SnapshotException($"{origin}: expected a JSON list of mounts ([{{\"type\":…,\"source\":…,\"options\":[…]}}]), found a {root.ValueKind}");
            }

            if (root.GetArrayLength() != 1)
            {
                throw new SnapshotException($"{origin}: {root.GetArrayLength()} mounts; a snapshot is exactly one overlay or bind mount (BuildKit also refuses other shapes)");
            }

            return FromJson(root[0], origin);
        }
        catch (JsonException e)
        {
            throw new SnapshotException($"{origin}: not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>The snapshot the mount describes, with the overlay options applied as the kernel would.</summary>
    public static Snapshot Load(string json, string origin, OverlayModuleDefaults? defaults = null) => Parse(json, origin).ToSnapshot(origin, defaults);

    /// <summary>The overlay's options, after containerd's own flags are taken out, as the kernel would read them.</summary>
    /// <exception cref="SnapshotException">Not an overlay mount, or options the kernel would refuse.</exception>
    public OverlayMountOptions ToOverlayOptions(string origin, OverlayModuleDefaults? defaults = null)
    {
        if (Type != "overlay")
        {
            throw new SnapshotException($"{origin}: a {Type} mount, not an overlay");
        }

        try
        {
            // containerd joins the remaining options with ',' into one data string, which the kernel splits again.
            var data = string.Join(',', Options.Where(o => !MountFlags.Contains(o)));
            return OverlayMountOptions.Parse(data, defaults) with { Options = Options };
        }
        catch (SnapshotException e)
        {
            throw new SnapshotException($"{origin}: {e.Message}", e);
        }
    }

    /// <summary>
    /// An overlay: its upperdir over its lowers. A bind: the bottom-most snapshot, whose source is the
    /// upper with nothing below (BuildKit's GetUpperdir does not look at the bind's options either).
    /// </summary>
    /// <exception cref="SnapshotException">Another mount type, or overlay options this tool cannot diff.</exception>
    public Snapshot ToSnapshot(string origin, OverlayModuleDefaults? defaults = null)
    {
        switch (Type)
        {
            case "bind":
                if (!Source.StartsWith('/'))
                {
                    throw new SnapshotException($"{origin}: the bind mount's source \"{Source}\" is not an absolute path");
                }

                return Snapshot.OfOverlay(Source, []);
            case "overlay":
                var options = ToOverlayOptions(origin, defaults);
                try
                {
                    return options.ToSnapshot();
                }
                catch (SnapshotException e)
                {
                    throw new SnapshotException($"{origin}: {e.Message}", e);
                }

            default:
                throw new SnapshotException($"{origin}: a mount of type \"{Type}\"; only overlay (a snapshot with parents) and bind (a bottom-most snapshot) can be diffed");
        }
    }

    private static ContainerdMount FromJson(JsonElement mount, string origin)
    {
        if (mount.ValueKind != JsonValueKind.Object)
        {
            throw new SnapshotException($"{origin}: a mount must be a JSON object, found a {mount.ValueKind}");
        }

        string? type = null;
        string? source = null;
        var options = new List<string>();

        // Go's encoding/json matches field names without regard to case; so does this.
        foreach (var property in mount.EnumerateObject())
        {
            if (string.Equals(property.Name, "type", StringComparison.OrdinalIgnoreCase))
            {
                type = StringValue(property, origin);
            }
            else if (string.Equals(property.Name, "source", StringComparison.OrdinalIgnoreCase))
            {
                source = StringValue(property, origin);
            }
            else if (string.Equals(property.Name, "options", StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind != JsonValueKind.Null)
            {
                if (property.Value.ValueKind != JsonValueKind.Array)
                {
                    throw new SnapshotException($"{origin}: \"options\" must be a list of strings");
                }

                options.AddRange(property.Value.EnumerateArray().Select(o => o.ValueKind == JsonValueKind.String
                    ? o.GetString()!
                    : throw new SnapshotException($"{origin}: \"options\" must be a list of strings, found a {o.ValueKind}")));
            }
        }

        if (string.IsNullOrEmpty(type) || source is null)
        {
            throw new SnapshotException($"{origin}: a mount needs \"type\" and \"source\"");
        }

        return new ContainerdMount(type, source, options);
    }

    private static string StringValue(JsonProperty property, string origin) =>
        property.Value.ValueKind == JsonValueKind.String
            ? property.Value.GetString()!
            : throw new SnapshotException($"{origin}: \"{property.Name}\" must be a string, found a {property.Value.ValueKind}");
}
