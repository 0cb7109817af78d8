using System.Globalization;
using System.Text.Json;
using ParallelDiff.Core.Export;
using ParallelDiff.Core.Oci;

namespace ParallelDiff.Cli;

/// <summary>
/// What an image says beyond its layers, from flags as `buildah config` and `crane mutate` take
/// them: the command, environment, user, working directory, labels, manifest annotations,
/// platform and creation time, and a history entry per layer naming the snapshot it came from.
/// </summary>
public static class ImageConfigArguments
{
    public static readonly string[] ValueOptions = ["--cmd", "--entrypoint", "--env", "--workdir", "--user", "--label", "--annotation", "--platform", "--created", "--config-from"];

    /// <summary>Options that may be given more than once, each time adding one value.</summary>
    public static readonly string[] RepeatableOptions = ["--env", "--label", "--annotation"];

    public const string Help = """
        image config (what `ctr run` and `podman run` start without being told)
          --cmd CMD            the command: a JSON array (["/app","--serve"]), or a line run by /bin/sh -c
          --entrypoint CMD     the entrypoint, in the same two forms
          --env KEY=VALUE      an environment variable (repeatable)
          --workdir DIR        the working directory
          --user USER[:GROUP]  the user the process runs as
          --label KEY=VALUE    a config label (repeatable)
          --annotation KEY=VALUE
                               a manifest annotation (repeatable)
          --platform OS/ARCH[/VARIANT]
                               the image's platform (default: linux on this machine's architecture)
          --created TIME       RFC 3339 time, "now", or "none" (left out, so the same layers give the
                               same image digest); default --source-date-epoch/$SOURCE_DATE_EPOCH
                               when set, else now
          --config-from LAYOUT:TAG
                               start from that image's command, environment, user, working
                               directory, labels and platform; the flags above go over them
        """;

    /// <summary>The flags as given, for a job's own settings to go over.</summary>
    public static ImageFields Fields(CommandLine cl)
    {
        ArgumentNullException.ThrowIfNull(cl);
        return new ImageFields
        {
            Cmd = cl.Value("--cmd"),
            Entrypoint = cl.Value("--entrypoint"),
            Env = cl.Values("--env"),
            WorkingDir = cl.Value("--workdir"),
            User = cl.Value("--user"),
            Labels = cl.Values("--label"),
            Annotations = cl.Values("--annotation"),
            Platform = cl.Value("--platform"),
            Created = cl.Value("--created"),
            ConfigFrom = cl.Value("--config-from"),
        };
    }

    /// <param name="createdBy">What made each layer, bottom first: one history entry each.</param>
    /// <exception cref="UsageException">A value that does not read; the message says which and why.</exception>
    public static ImageConfig Parse(CommandLine cl, IReadOnlyList<string> createdBy) =>
        Inherit(cl, Build(Fields(cl), createdBy, LayerArguments.SourceDateEpoch(cl)));

    /// <summary>--config-from LAYOUT:TAG under <paramref name="config"/>, or <paramref name="config"/> itself.</summary>
    /// <exception cref="UsageException">Not LAYOUT:TAG, or no such image; the message says which.</exception>
    public static ImageConfig Inherit(CommandLine cl, ImageConfig config)
    {
        ArgumentNullException.ThrowIfNull(cl);
        if (cl.Value("--config-from") is not { } text)
        {
            return config;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == text.Length - 1 || !File.Exists(Path.Combine(text[..colon], "oci-layout")))
        {
            throw new UsageException($"--config-from {text}: give LAYOUT:TAG, an OCI layout and a tag in it");
        }

        try
        {
            return BaseImage.Read(OciLayout.Open(text[..colon]), text[(colon + 1)..]).Inherited(config, platformGiven: cl.Value("--platform") is not null);
        }
        catch (InvalidDataException e)
        {
            throw new UsageException($"--config-from {e.Message}");
        }
    }

    /// <param name="sourceDateEpoch">The time "created" takes when the fields name none.</param>
    public static ImageConfig Build(ImageFields fields, IReadOnlyList<string> createdBy, long? sourceDateEpoch)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(createdBy);
        var created = Created(fields.Created, sourceDateEpoch);
        var container = new ContainerSettings
        {
            User = fields.User,
            Env = fields.Env.Count > 0 ? Checked("--env", fields.Env) : null,
            Entrypoint = Command("--entrypoint", fields.Entrypoint),
            Cmd = Command("--cmd", fields.Cmd),
            WorkingDir = fields.WorkingDir,
            Labels = Map("--label", fields.Labels),
        };
        return new ImageConfig
        {
            Platform = Platform(fields.Platform),
            Created = created,
            History = [.. createdBy.Select(by => new ImageHistoryEntry { Created = created, CreatedBy = by, Comment = "paralleldiff" })],
            Container = container == new ContainerSettings() ? null : container,
            Annotations = Map("--annotation", fields.Annotations),
        };
    }

    private static DateTimeOffset? Created(string? text, long? sourceDateEpoch)
    {
        if (text == "none")
        {
            return null;
        }

        if (text == "now" || (text is null && sourceDateEpoch is null))
        {
            // Whole seconds: a config need not carry the machine's clock to the tick.
            return DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        }

        if (text is not null)
        {
            return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
                ? time
                : throw new UsageException($"--created '{text}': not an RFC 3339 time (2024-05-01T12:00:00Z), \"now\" or \"none\"");
        }

        return sourceDateEpoch is { } epoch ? DateTimeOffset.FromUnixTimeSeconds(epoch) : null;
    }

    /// <summary>["/app","--serve"] as given; any other text as /bin/sh -c TEXT (the shell form of a Dockerfile).</summary>
    private static string[]? Command(string option, string? text)
    {
        if (text is null)
        {
            return null;
        }

        if (!text.TrimStart().StartsWith('['))
        {
            return ["/bin/sh", "-c", text];
        }

        try
        {
            using var json = JsonDocument.Parse(text);
            return json.RootElement.ValueKind == JsonValueKind.Array && json.RootElement.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String)
                ? [.. json.RootElement.EnumerateArray().Select(e => e.GetString()!)]
                : throw new UsageException($"{option} '{text}': a JSON array of strings, or a command line for /bin/sh -c");
        }
        catch (JsonException)
        {
            throw new UsageException($"{option} '{text}': not a JSON array of strings (or give a command line without the brackets)");
        }
    }

    /// <summary>KEY=VALUE pairs as a map; a later pair wins (a job's over the command's).</summary>
    private static Dictionary<string, string>? Map(string option, IReadOnlyList<string> pairs)
    {
        if (pairs.Count == 0)
        {
            return null;
        }

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in pairs.Select(p => Pair(option, p)))
        {
            map[key] = value;
        }

        return map;
    }

    /// <summary>KEY=VALUE pairs as given, each checked to be one.</summary>
    private static string[] Checked(string option, IReadOnlyList<string> pairs)
    {
        foreach (var pair in pairs)
        {
            _ = Pair(option, pair);
        }

        return [.. pairs];
    }

    private static (string Key, string Value) Pair(string option, string text)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        return eq > 0 ? (text[..eq], text[(eq + 1)..]) : throw new UsageException($"{option} '{text}': give KEY=VALUE");
    }

    private static OciPlatform Platform(string? text)
    {
        if (text is null)
        {
            return OciPlatform.Host;
        }

        var parts = text.Split('/');
        return parts is [var os, var arch] && os.Length > 0 && arch.Length > 0 ? new OciPlatform(arch, os)
            : parts is [var os3, var arch3, var variant] && os3.Length > 0 && arch3.Length > 0 && variant.Length > 0 ? new OciPlatform(arch3, os3, variant)
            : throw new UsageException($"--platform '{text}': give OS/ARCH or OS/ARCH/VARIANT (linux/arm64, linux/arm/v7)");
    }
}
