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

    public static ImageConfig Default { get; } = new();
}
