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
        // A JsonDocument, not a JsonNode tree: for a 1,000-snapshot export the tree (a dictionary per
        // manifest, built to be sorted and written once) was a tenth of a warm run's CPU.
        using var index = IndexDocument.Parse(File.ReadAllBytes(layout.IndexPath), layout.IndexPath);
        if (IndexDocument.InRefNameOrder(index.RootElement) is not { } sorted)
        {
            return false;
        }

        using var file = AtomicOutputFile.Create(layout.IndexPath);
        file.Stream.Write(sorted);
        file.Commit();
        return true;
    }
}
