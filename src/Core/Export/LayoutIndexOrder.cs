using System.Text.Json;
using System.Text.Json.Nodes;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Oci;

namespace ParallelDiff.Core.Export;

/// <summary>
/// Puts index.json's manifests in ref-name order. A bulk export tags images as snapshots finish, so
/// the index lists them in completion order, which differs from run to run and between a resumed
/// run and a clean one; sorting at the end makes the index (and so the whole layout) depend only on
/// the jobs. Entries without a ref name keep their places at the front, in their order.
/// </summary>
public static class LayoutIndexOrder
{
    /// <summary>Sorts under the layout's index lock; rewrites index.json only when the order changes.</summary>
    /// <returns>Whether index.json was rewritten.</returns>
    /// <exception cref="InvalidDataException">index.json is not an OCI image index.</exception>
    public static bool SortByRefName(OciLayout layout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(layout);
        using var held = IndexLock.Acquire(layout.IndexLockPath, layout.LockTimeout, cancellationToken);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(File.ReadAllBytes(layout.IndexPath));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{layout.IndexPath}: not JSON ({e.Message}); refusing to reorder it", e);
        }

        if (node is not JsonObject index || index["manifests"] is not JsonArray manifests)
        {
            throw new InvalidDataException($"{layout.IndexPath}: not an OCI image index (no manifests list); refusing to reorder it");
        }

        var entries = manifests.ToList();
        var sorted = entries.Where(e => RefName(e) is null)
            .Concat(entries.Where(e => RefName(e) is not null).OrderBy(RefName, StringComparer.Ordinal))
            .ToList();
        if (sorted.SequenceEqual(entries))
        {
            return false;
        }

        manifests.Clear();
        foreach (var entry in sorted)
        {
            manifests.Add(entry);
        }

        using var file = AtomicOutputFile.Create(layout.IndexPath);
        file.Stream.Write(OciJson.Serialize(json => index.WriteTo(json)));
        file.Commit();
        return true;
    }

    private static string? RefName(JsonNode? entry) =>
        entry?["annotations"]?[OciMediaTypes.RefNameAnnotation] is JsonValue value && value.GetValueKind() == JsonValueKind.String
            ? value.GetValue<string>()
            : null;
}
