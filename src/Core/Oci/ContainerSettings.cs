namespace ParallelDiff.Core.Oci;

/// <summary>
/// What a runtime uses to start a container from the image: the image config's "config" object
/// (image-spec config.md), as `buildah config` and `crane mutate` set it. Null fields are left out;
/// with none set the object is empty, as before, so images without settings keep their digests.
/// </summary>
public sealed record ContainerSettings
{
    public string? User { get; init; }

    /// <summary>KEY=VALUE, in the order given.</summary>
    public IReadOnlyList<string>? Env { get; init; }

    public IReadOnlyList<string>? Entrypoint { get; init; }

    public IReadOnlyList<string>? Cmd { get; init; }

    public string? WorkingDir { get; init; }

    /// <summary>Written sorted by key, as Go's encoding/json writes a map.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }
}
