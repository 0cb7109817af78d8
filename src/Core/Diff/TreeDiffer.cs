using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Core.Diff;

/// <summary>
/// continuity's double-walking differ (fs/diff.go doubleWalkDiff, spec §4.1): walks the base and
/// the new tree side by side in byte-wise pre-order. Only in base → Delete (its children are not
/// reported); only in new → Add with all its children; in both → Modify unless the same, and
/// Unmodified for same hard-linked names so the tar writer can keep the link.
/// </summary>
public sealed class TreeDiffer
{
    private readonly ISnapshotTree _base;
    private readonly ISnapshotTree _new;
    private readonly DirentComparer _comparer;
    private readonly XattrPolicy _xattrs;

    public TreeDiffer(ISnapshotTree baseTree, ISnapshotTree newTree, DirentComparer comparer, XattrPolicy xattrs)
    {
        _base = baseTree;
        _new = newTree;
        _comparer = comparer;
        _xattrs = xattrs;
    }

    /// <summary>The whole trees; the root itself is never reported.</summary>
    public void Run(IChangeSink sink, CancellationToken cancellationToken) => DiffChildren([], sink, cancellationToken);

    /// <summary>
    /// The children of one directory of the new tree against the same path in the base. A base
    /// that is absent or not a directory has no children, so everything below is an Add.
    /// </summary>
    public void DiffChildren(byte[] directory, IChangeSink sink, CancellationToken cancellationToken)
    {
        var before = _base.TryLstat(directory, out var st, out _) && st.IsDirectory ? _base.List(directory) : [];
        var after = _new.List(directory);
        int i = 0, j = 0;
        while (i < before.Count || j < after.Count)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var order = i == before.Count ? 1 : j == after.Count ? -1 : PathBytes.CompareNames(before[i].Name, after[j].Name);
            if (order < 0)
            {
                var gone = before[i++];
                sink.Handle(EntryDetails.Describe(ChangeKind.Delete, PathBytes.Join(directory, gone.Name), gone.Status, _new, _xattrs));
                continue;
            }

            var entry = after[j++];
            var path = PathBytes.Join(directory, entry.Name);
            if (order > 0)
            {
                sink.Handle(EntryDetails.Describe(ChangeKind.Add, path, entry.Status, _new, _xattrs));
                if (entry.Status.IsDirectory)
                {
                    AddAll(path, sink, cancellationToken);
                }

                continue;
            }

            var old = before[i++];
            if (!_comparer.Same(_base, old.Status, _new, entry.Status, path))
            {
                sink.Handle(EntryDetails.Describe(ChangeKind.Modify, path, entry.Status, _new, _xattrs));
            }
            else if (entry.Status.IsHardLinked)
            {
                sink.Handle(EntryDetails.Describe(ChangeKind.Unmodified, path, entry.Status, _new, _xattrs));
            }

            if (entry.Status.IsDirectory)
            {
                if (old.Status.IsDirectory)
                {
                    DiffChildren(path, sink, cancellationToken);
                }
                else
                {
                    AddAll(path, sink, cancellationToken);
                }
            }
        }
    }

    /// <summary>Everything below a directory the base does not have (continuity addDirChanges).</summary>
    public void AddAll(byte[] directory, IChangeSink sink, CancellationToken cancellationToken)
    {
        foreach (var entry in _new.List(directory))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var path = PathBytes.Join(directory, entry.Name);
            sink.Handle(EntryDetails.Describe(ChangeKind.Add, path, entry.Status, _new, _xattrs));
            if (entry.Status.IsDirectory)
            {
                AddAll(path, sink, cancellationToken);
            }
        }
    }
}
