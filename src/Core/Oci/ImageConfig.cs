namespace ParallelDiff.Core.Oci;

/// <summary>
/// What an image config says beyond its layers. "created" is left out unless given, so that the
/// same layers always give the same config digest (reproducible builds).
/// </summary>
public sealed record ImageConfig
{
    public OciPlatform Platform { get; init; } = OciPlatform.Host;

    public DateTimeOffset? Created { get; init; }

    public string? Author { get; init; }

    /// <summary>Optional; when given, its entries without EmptyLayer must match the layers one to one (config.md, "history").</summary>
    public IReadOnlyList<ImageHistoryEntry>? History { get; init; }

    /// <summary>The container's command, environment, user, working directory and labels ("config").</summary>
    public ContainerSettings? Container { get; init; }

    /// <summary>The manifest's annotations (sorted by key); none by default.</summary>
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    public static ImageConfig Default { get; } = new();
}
