using System.Text;

namespace ParallelDiff.Core.Export;

/// <summary>
/// What an image says beyond its layers, in the words of the flags that set it (--cmd, --env,
/// --label, …) and of an export job's keys ("cmd", "env", "labels", …): command lines as given
/// (a JSON array, or a line for /bin/sh -c), KEY=VALUE pairs. The CLI turns them into a config.
/// </summary>
public sealed record ImageFields
{
    public string? Cmd { get; init; }

    public string? Entrypoint { get; init; }

    public IReadOnlyList<string> Env { get; init; } = [];

    public string? WorkingDir { get; init; }

    public string? User { get; init; }

    /// <summary>KEY=VALUE; a later pair wins over an earlier one with the same key.</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    /// <summary>KEY=VALUE, the manifest's.</summary>
    public IReadOnlyList<string> Annotations { get; init; } = [];

    public string? Platform { get; init; }

    public string? Created { get; init; }

    /// <summary>--config-from LAYOUT:TAG: the image whose settings these go over (read by the CLI).</summary>
    public string? ConfigFrom { get; init; }

    public static ImageFields None { get; } = new();

    /// <summary>A job's fields over the command's: a value the job gives wins; lists add the job's after the command's.</summary>
    public ImageFields Over(ImageFields? job) => job is null ? this : new ImageFields
    {
        Cmd = job.Cmd ?? Cmd,
        Entrypoint = job.Entrypoint ?? Entrypoint,
        Env = [.. Env, .. job.Env],
        WorkingDir = job.WorkingDir ?? WorkingDir,
        User = job.User ?? User,
        Labels = [.. Labels, .. job.Labels],
        Annotations = [.. Annotations, .. job.Annotations],
        Platform = job.Platform ?? Platform,
        Created = job.Created ?? Created,
        ConfigFrom = ConfigFrom,
    };

    /// <summary>A stable text of every field, for a job's fingerprint (the image changes with them).</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        foreach (var (name, value) in new (string, string?)[]
        {
            ("cmd", Cmd), ("entrypoint", Entrypoint), ("env", string.Join('\n', Env)), ("workdir", WorkingDir), ("user", User),
            ("labels", string.Join('\n', Labels)), ("annotations", string.Join('\n', Annotations)), ("platform", Platform), ("created", Created), ("config-from", ConfigFrom),
        })
        {
            text.Append(name).Append('=').Append(value?.Replace("\n", "\\n", StringComparison.Ordinal)).Append(';');
        }

        return text.ToString();
    }
}
