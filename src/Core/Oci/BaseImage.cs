using System.Globalization;
using System.Text.Json;
using ParallelDiff.Core.Layers;

namespace ParallelDiff.Core.Oci;

/// <summary>
/// An image in a layout that another is built on: its layers (bottom first, each with the diffID its
/// config gives) and what its config says, so that an image of one more layer keeps them all.
/// </summary>
public sealed record BaseImage(OciLayout Layout, string RefName, IReadOnlyList<LayerDescriptor> Layers, ImageConfig Config)
{
    /// <summary>Reads the image tagged <paramref name="refName"/> in <paramref name="layout"/>.</summary>
    /// <exception cref="InvalidDataException">No such tag, or its manifest or config is not what the image spec says; the message names it.</exception>
    public static BaseImage Read(OciLayout layout, string refName)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var where = $"{layout.Root}:{refName}";
        var manifestDescriptor = layout.FindManifest(refName) ?? throw new InvalidDataException($"{where}: no image with that tag in the layout");
        try
        {
            using var manifest = JsonDocument.Parse(File.ReadAllBytes(layout.BlobPath(manifestDescriptor.Digest)));
            var configDescriptor = OciDescriptor.FromJson(manifest.RootElement.GetProperty("config"), where);
            var blobs = manifest.RootElement.GetProperty("layers").EnumerateArray().Select(l => OciDescriptor.FromJson(l, where)).ToList();
            using var config = JsonDocument.Parse(File.ReadAllBytes(layout.BlobPath(configDescriptor.Digest)));
            var root = config.RootElement;
            var diffIds = root.GetProperty("rootfs").GetProperty("diff_ids").EnumerateArray().Select(d => d.GetString()!).ToList();
            if (diffIds.Count != blobs.Count)
            {
                throw new InvalidDataException($"{where}: the config lists {diffIds.Count} diff_ids for {blobs.Count} layers");
            }

            var layers = blobs.Select((b, i) => new LayerDescriptor(b.MediaType, b.Digest, b.Size, diffIds[i])
            {
                // A base's zstd:chunked or eStargz layers keep what their readers look for.
                Annotations = b.Annotations?.Where(a => a.Key != LayerDescriptor.UncompressedAnnotation).ToDictionary(StringComparer.Ordinal) is { Count: > 0 } kept ? kept : null,
            }).ToList();
            return new BaseImage(layout, refName, layers, new ImageConfig
            {
                Platform = new OciPlatform(root.GetProperty("architecture").GetString()!, root.GetProperty("os").GetString()!, Text(root, "variant")),
                Created = Text(root, "created") is { } created ? DateTimeOffset.Parse(created, CultureInfo.InvariantCulture) : null,
                History = root.TryGetProperty("history", out var history) ? [.. history.EnumerateArray().Select(History)] : null,
                Container = root.TryGetProperty("config", out var run) && run.ValueKind == JsonValueKind.Object ? Container(run) : null,
            });
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or IOException)
        {
            throw new InvalidDataException($"{where}: not an image this can build on: {e.Message}", e);
        }
    }

    private static ImageHistoryEntry History(JsonElement step) => new()
    {
        Created = Text(step, "created") is { } created ? DateTimeOffset.Parse(created, CultureInfo.InvariantCulture) : null,
        CreatedBy = Text(step, "created_by"),
        Author = Text(step, "author"),
        Comment = Text(step, "comment"),
        EmptyLayer = step.TryGetProperty("empty_layer", out var empty) && empty.ValueKind == JsonValueKind.True,
    };

    private static ContainerSettings? Container(JsonElement run)
    {
        var settings = new ContainerSettings
        {
            User = Text(run, "User"),
            Env = List(run, "Env"),
            Entrypoint = List(run, "Entrypoint"),
            Cmd = List(run, "Cmd"),
            WorkingDir = Text(run, "WorkingDir"),
            Labels = run.TryGetProperty("Labels", out var labels) && labels.ValueKind == JsonValueKind.Object
                ? labels.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty, StringComparer.Ordinal)
                : null,
        };
        return settings == new ContainerSettings() ? null : settings;
    }

    /// <summary>The base's labels with the top's over them (a key in both takes the top's value).</summary>
    private static Dictionary<string, string> Merged(IReadOnlyDictionary<string, string>? under, IReadOnlyDictionary<string, string> over)
    {
        var labels = new Dictionary<string, string>(under ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (key, value) in over)
        {
            labels[key] = value;
        }

        return labels;
    }

    private static string[]? List(JsonElement element, string name) =>
        element.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array ? [.. list.EnumerateArray().Select(e => e.GetString()!)] : null;

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>
    /// The config of this image with one more layer: the base's history, then <paramref name="top"/>'s;
    /// the base's container settings with the top's over them (Env and Labels added to); the top's
    /// platform and time when it gives them.
    /// </summary>
    public ImageConfig Under(ImageConfig top, bool platformGiven)
    {
        ArgumentNullException.ThrowIfNull(top);
        var history = Config.History ?? [.. Layers.Select(_ => new ImageHistoryEntry())];
        return Inherited(top, platformGiven) with { History = [.. history, .. top.History ?? []] };
    }

    /// <summary>
    /// <paramref name="top"/> with this image's container settings and platform under its own
    /// (--config-from): the layers and history stay <paramref name="top"/>'s.
    /// </summary>
    public ImageConfig Inherited(ImageConfig top, bool platformGiven)
    {
        ArgumentNullException.ThrowIfNull(top);
        var b = Config.Container;
        var t = top.Container;
        ContainerSettings? container = b is null ? t : t is null ? b : new ContainerSettings
        {
            User = t.User ?? b.User,
            Env = t.Env is null ? b.Env : [.. b.Env ?? [], .. t.Env],
            Entrypoint = t.Entrypoint ?? b.Entrypoint,

            // A new entrypoint resets the base's command, as a Dockerfile's ENTRYPOINT does.
            Cmd = t.Cmd ?? (t.Entrypoint is null ? b.Cmd : null),
            WorkingDir = t.WorkingDir ?? b.WorkingDir,
            Labels = t.Labels is null ? b.Labels : Merged(b.Labels, t.Labels),
        };
        return top with
        {
            Platform = platformGiven ? top.Platform : Config.Platform,
            Container = container,
        };
    }
}
