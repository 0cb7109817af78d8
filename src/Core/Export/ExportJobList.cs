using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ParallelDiff.Core.Export;

/// <summary>
/// Reads a bulk export's job file: a JSON list of objects, each with an "id" and one snapshot input
/// spelled as the CLI spells it ("upper" + "lower", "from" + "to", "mount-options", "mountpoint",
/// "docker-layer", "mount-json", or "mounts" with containerd's mount list inline), optionally
/// "userxattr", "compression", "level", "differ", "push", "node" (a cluster export's node for the job), image settings, "base" and "lower-layers". Relative directories are taken relative to the
/// job file, so a job file means the same from any working directory. The whole file is checked
/// before anything runs: an unknown key or a job naming no snapshot or two is an error, not a guess.
/// </summary>
public static partial class ExportJobList
{
    /// <summary>The keys that set the job's image (<see cref="Image"/>).</summary>
    private static readonly string[] ImageKeys = ["cmd", "entrypoint", "env", "workdir", "user", "labels", "annotations", "platform", "created"];

    private static readonly HashSet<string> Keys = new(StringComparer.Ordinal)
    {
        "id", "upper", "lower", "from", "to", "mount-options", "mountpoint", "docker-layer", "mount-json", "mounts",
        "userxattr", "compression", "level", "differ", "push", "node",
        "cmd", "entrypoint", "env", "workdir", "user", "labels", "annotations", "platform", "created", "base", "lower-layers",
    };

    /// <summary>Reads and checks a job file.</summary>
    /// <exception cref="JobListException">The file cannot be read, or a job is malformed; the message names it.</exception>
    public static IReadOnlyList<ExportJob> Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try
        {
            // Parsed as the UTF-8 it is: read as text first, a 1,000-job file became a string of
            // twice its size, built in a StringBuilder's chunks, and then UTF-8 again for the parser.
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // .NET's words ("Access to the path is denied" for a directory, "Could not find file")
            // are replaced by the cause as the system states it.
            var cause = Directory.Exists(path) ? "is a directory, not a job file"
                : e is FileNotFoundException or DirectoryNotFoundException ? "no such file or directory (ENOENT)"
                : e is UnauthorizedAccessException ? "permission denied (EACCES)"
                : e.Message;
            throw new JobListException($"{path}: {cause}", e);
        }

        // Checked whole, at memory speed: the parser checks only the JSON's structure, and a name
        // read from broken text would be a path that is not the one meant.
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
        {
            throw new JobListException($"{path}: not UTF-8 text; a job file is JSON, which is");
        }

        // A byte order mark is not JSON; a text read dropped it, and so does this.
        var json = bytes.AsMemory();
        if (json.Span.StartsWith("\uFEFF"u8))
        {
            json = json[3..];
        }

        return Parse(json, path, Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <param name="json">The file's text.</param>
    /// <param name="origin">Where it came from, for messages.</param>
    /// <param name="baseDirectory">What relative directories are relative to.</param>
    /// <exception cref="JobListException">Not a list of jobs, a malformed job, or two jobs with one id.</exception>
    public static IReadOnlyList<ExportJob> Parse(string json, string origin, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(System.Text.Encoding.UTF8.GetBytes(json), origin, baseDirectory);
    }

    /// <param name="json">The file's bytes, UTF-8.</param>
    /// <param name="origin">Where it came from, for messages.</param>
    /// <param name="baseDirectory">What relative directories are relative to.</param>
    /// <exception cref="JobListException">Not a list of jobs, a malformed job, or two jobs with one id.</exception>
    public static IReadOnlyList<ExportJob> Parse(ReadOnlyMemory<byte> json, string origin, string baseDirectory)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new JobListException($"{origin}: not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new JobListException($"{origin}: expected a JSON list of jobs ([{{\"id\":…,\"upper\":…}}, …]), found a {document.RootElement.ValueKind}");
            }

            // A parsed document is only read from here on, which any number of threads may do.
            // One string for each distinct lower directory: a thousand jobs on one base named it a
            // thousand times, and each copy was kept (and copied by the collector) for the whole run.
            var lowerPaths = new ConcurrentDictionary<string, string>(StringComparer.Ordinal);
            var jobs = OrderedParallel.Map(document.RootElement.EnumerateArray().ToList(), (element, i) => ParseJob(element, new JobPlace(origin, i + 1, null), baseDirectory, lowerPaths));
            var ids = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var index = 0; index < jobs.Length; index++)
            {
                if (!ids.TryAdd(jobs[index].Id, index))
                {
                    throw new JobListException($"{origin}: jobs {ids[jobs[index].Id] + 1} and {index + 1} both have the id \"{jobs[index].Id}\"; an id names one image in the layout");
                }
            }

            return jobs;
        }
    }

    /// <summary>Whether an id can be a tag in index.json (image-layout.md's ref name grammar).</summary>
    public static bool IsValidId(string id) => RefNameGrammar().IsMatch(id);

    private static ExportJob ParseJob(JsonElement element, JobPlace where, string baseDirectory, ConcurrentDictionary<string, string> lowerPaths)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new JobListException($"{where}: a job must be a JSON object, found a {element.ValueKind}");
        }

        foreach (var property in element.EnumerateObject().Where(p => !Keys.Contains(p.Name)))
        {
            throw new JobListException($"{where}: unknown key \"{property.Name}\" (known: {string.Join(", ", Keys.Order(StringComparer.Ordinal))})");
        }

        // JSON leaves a repeated key's meaning open (System.Text.Json would keep the last): refuse it.
        if (RepeatedKey(element) is { } repeated)
        {
            throw new JobListException($"{where}: the key \"{repeated.Name}\" appears {repeated.Count} times; give it once");
        }

        var id = Text(element, "id", where) ?? throw new JobListException($"{where}: no \"id\"");
        where = where with { Id = id };
        if (!IsValidId(id))
        {
            throw new JobListException($"{where}: the id must be a valid ref name, as it tags the job's image in index.json "
                + "(image-layout.md: components of letters and digits joined by one of - . _ : @ + or --, separated by /)");
        }

        string? Dir(string key) => Text(element, key, where) is { } value ? Path.GetFullPath(value, baseDirectory) : null;

        var source = new SnapshotSource
        {
            Upper = Dir("upper"),
            Lowers = Lowers(element, where, baseDirectory, lowerPaths),
            From = Dir("from"),
            To = Dir("to"),
            MountOptions = Text(element, "mount-options", where),
            MountPoint = Dir("mountpoint"),
            DockerLayer = Dir("docker-layer"),
            MountJsonPath = Text(element, "mount-json", where) is { } path
                ? path == SnapshotSource.StandardInput
                    ? throw new JobListException($"{where}: \"mount-json\": \"-\" (standard input) cannot serve many jobs; give a file or \"mounts\" inline")
                    : Path.GetFullPath(path, baseDirectory)
                : null,
            MountJson = element.TryGetProperty("mounts", out var mounts)
                ? mounts.ValueKind == JsonValueKind.Array ? mounts.GetRawText() : throw new JobListException($"{where}: \"mounts\" must be containerd's list of mounts")
                : null,
            UserXattr = element.TryGetProperty("userxattr", out var userXattr) && (userXattr.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? userXattr.GetBoolean()
                : throw new JobListException($"{where}: \"userxattr\" must be true or false")),
        };
        if (source.Conflict() is { } conflict)
        {
            throw new JobListException($"{where}: {conflict}");
        }

        var lowerLayers = element.TryGetProperty("lower-layers", out var lowerLayersValue) && (lowerLayersValue.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? lowerLayersValue.GetBoolean()
            : throw new JobListException($"{where}: \"lower-layers\" must be true or false"));
        if (lowerLayers && (source.From is not null || source.To is not null))
        {
            throw new JobListException($"{where}: \"lower-layers\" needs an overlay stack; \"from\"/\"to\" name two trees, not layers");
        }

        return new ExportJob(id, source)
        {
            Compression = Text(element, "compression", where),
            Level = element.TryGetProperty("level", out var level)
                ? level.ValueKind == JsonValueKind.Number && level.TryGetInt32(out var n) ? n : throw new JobListException($"{where}: \"level\" must be a whole number")
                : null,
            Differ = Text(element, "differ", where),
            Push = Text(element, "push", where),
            Node = Text(element, "node", where),
            LowerLayers = lowerLayers,
            Image = Image(element, where),
            Base = Text(element, "base", where) is { } text
                ? text.IndexOf(':', StringComparison.Ordinal) is > 0 and var colon && colon < text.Length - 1
                    ? (Path.GetFullPath(text[..colon], baseDirectory), text[(colon + 1)..])
                    : throw new JobListException($"{where}: \"base\" must be LAYOUT:TAG (an OCI layout and a tag in it)")
                : null,
        };
    }

    /// <summary>The first key given more than once, with how often; null when none is. A job has a handful of keys: compared pairwise, without a lookup table per job.</summary>
    private static (string Name, int Count)? RepeatedKey(JsonElement element)
    {
        var names = element.EnumerateObject().Select(p => p.Name).ToList();
        for (var i = 0; i < names.Count; i++)
        {
            var count = names.Count(n => string.Equals(n, names[i], StringComparison.Ordinal));
            if (count > 1)
            {
                return (names[i], count);
            }
        }

        return null;
    }

    /// <summary>"lower": "Ltop:…:Lbottom" as on the command line, or a list (which allows ':' in names).</summary>
    /// <param name="fullPaths">The full path of each lower named so far, by how it was written: shared between jobs.</param>
    private static List<string>? Lowers(JsonElement element, JobPlace where, string baseDirectory, ConcurrentDictionary<string, string> fullPaths)
    {
        if (!element.TryGetProperty("lower", out var lower))
        {
            return null;
        }

        List<string> parts = lower.ValueKind switch
        {
            JsonValueKind.String => [.. lower.GetString()!.Split(':')],
            JsonValueKind.Array => [.. lower.EnumerateArray().Select(l => l.ValueKind == JsonValueKind.String
                ? l.GetString()!
                : throw new JobListException($"{where}: \"lower\" must list directories as strings"))],
            _ => throw new JobListException($"{where}: \"lower\" must be \"Ltop:…:Lbottom\" or a list of directories, top first"),
        };
        if (parts.Count == 0 || parts.Any(p => p.Length == 0))
        {
            throw new JobListException($"{where}: \"lower\" has an empty layer path");
        }

        return parts.Select(p => fullPaths.GetOrAdd(p, static (path, directory) => Path.GetFullPath(path, directory), baseDirectory)).ToList();
    }

    /// <summary>The job's image keys in the flags' forms; null when it has none.</summary>
    private static ImageFields? Image(JsonElement element, JobPlace where)
    {
        if (!Array.Exists(ImageKeys, k => element.TryGetProperty(k, out _)))
        {
            return null;
        }

        return new ImageFields
        {
            Cmd = Command(element, "cmd", where),
            Entrypoint = Command(element, "entrypoint", where),
            Env = element.TryGetProperty("env", out var env)
                ? env.ValueKind == JsonValueKind.Array && env.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String)
                    ? [.. env.EnumerateArray().Select(e => e.GetString()!)]
                    : throw new JobListException($"{where}: \"env\" must be a list of \"KEY=VALUE\" strings")
                : [],
            WorkingDir = Text(element, "workdir", where),
            User = Text(element, "user", where),
            Labels = Pairs(element, "labels", where),
            Annotations = Pairs(element, "annotations", where),
            Platform = Text(element, "platform", where),
            Created = Text(element, "created", where),
        };
    }

    /// <summary>A command as --cmd takes it: a list of strings (kept as its JSON), or a line for /bin/sh -c.</summary>
    private static string? Command(JsonElement element, string key, JobPlace where) =>
        !element.TryGetProperty(key, out var value) ? null
        : value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) ? value.GetRawText()
        : value.ValueKind == JsonValueKind.String ? value.GetString()
        : throw new JobListException($"{where}: \"{key}\" must be a list of strings or a command line");

    private static List<string> Pairs(JsonElement element, string key, JobPlace where) =>
        !element.TryGetProperty(key, out var value) ? []
        : value.ValueKind == JsonValueKind.Object && value.EnumerateObject().All(p => p.Value.ValueKind == JsonValueKind.String)
            ? [.. value.EnumerateObject().Select(p => $"{p.Name}={p.Value.GetString()}")]
            : throw new JobListException($"{where}: \"{key}\" must be an object of strings");

    private static string? Text(JsonElement element, string key, JobPlace where)
    {
        if (!element.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new JobListException($"{where}: \"{key}\" must be a non-empty string");
    }

    /// <summary>
    /// Where a job is, for messages ("jobs.json: job 3 (\"web\")"): spelled only when a message is
    /// made. Spelled for every job as it was parsed, it was two strings a job for nothing.
    /// </summary>
    private readonly record struct JobPlace(string Origin, int Number, string? Id)
    {
        public override string ToString() => Id is null ? $"{Origin}: job {Number}" : $"{Origin}: job {Number} (\"{Id}\")";
    }

    /// <summary>image-layout.md, "index.json": ref ::= component ("/" component)*; component ::= alphanum (separator alphanum)*.</summary>
    [GeneratedRegex(@"^[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*(?:/[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*)*$")]
    private static partial Regex RefNameGrammar();
}
