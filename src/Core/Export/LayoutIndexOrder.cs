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
        return layout.SortIndexByRefName(cancellationToken);
    }
}
