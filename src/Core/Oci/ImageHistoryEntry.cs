namespace ParallelDiff.Core.Oci;

/// <summary>One "history" entry of an image config (image-spec config.md); EmptyLayer marks a step that added no layer.</summary>
public sealed record ImageHistoryEntry
{
    public DateTimeOffset? Created { get; init; }

    public string? CreatedBy { get; init; }

    public string? Author { get; init; }

    public string? Comment { get; init; }

    public bool EmptyLayer { get; init; }
}
