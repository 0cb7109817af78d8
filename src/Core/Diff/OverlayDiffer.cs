using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Core.Diff;

/// <summary>
/// The upperdir differ (BuildKit util/overlay/overlay_linux.go Changes, spec §2.4): walks only
/// the upperdir in byte-wise pre-order and consults the lower stack to decide what each entry
/// means. Beyond BuildKit it handles what the kernel can leave in an upper: a redirected (renamed)
/// directory is diffed in full against the merged view (moby/buildkit#2490), a metacopy file's
/// data is read from the layer below, and a whiteout under a directory that replaced a lower
/// file hides nothing.
/// </summary>
public sealed class OverlayDiffer
{
    private readonly DirectoryTree _upper;
    private readonly ISnapshotTree _base;
    private readonly ISnapshotTree _merged;
    private readonly OverlayOptions _overlay;
    private readonly DiffOptions _options;
    private readonly DirentComparer _comparer;
    private readonly TreeDiffer _subtrees;

    /// <param name="upper">The upperdir as it is on disk (whiteouts and overlay xattrs visible).</param>
    /// <param name="baseTree">The merged lower stack (an empty tree for a bottom-most snapshot).</param>
    /// <param name="merged">The upper over the lowers, as the kernel would show it.</param>
    public OverlayDiffer(DirectoryTree upper, ISnapshotTree baseTree, ISnapshotTree merged, OverlayOptions overlay, DiffOptions options, bool baseIsSingleDirectory)
    {
        _upper = upper;
        _base = baseTree;
        _merged = merged;
        _overlay = overlay;
        _options = options;
        _comparer = new DirentComparer(options.Exact, baseIsSingleDirectory, copyUpBreaksLinks: true, options.Xattrs);
        _subtrees = new TreeDiffer(baseTree, merged, _comparer, options.Xattrs);
    }

    public void Run(IChangeSink sink, CancellationToken cancellationToken) => WalkDirectory([], sink, cancellationToken);

    /// <summary>The entries of one upper directory, and below them (a shard of the walk).</summary>
    public void WalkDirectory(byte[] directory, IChangeSink sink, CancellationToken cancellationToken)
    {
        foreach (var entry in _upper.ListWithXattrNames(directory))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var path = PathBytes.Join(directory, entry.Name);
            if (Classify(path, entry, sink) is { } descend)
            {
                Descend(path, descend, sink, cancellationToken);
            }
        }
    }

    /// <summary>Goes on below a directory as <see cref="Classify"/> decided.</summary>
    public void Descend(byte[] path, Descent descent, IChangeSink sink, CancellationToken cancellationToken)
    {
        switch (descent)
        {
            case Descent.Upper:
                WalkDirectory(path, sink, cancellationToken);
                break;
            case Descent.Merged:
                _subtrees.DiffChildren(path, sink, cancellationToken);
                break;
            default:
                _subtrees.AddAll(path, sink, cancellationToken);
                break;
        }
    }

    /// <summary>How the walk continues below a directory.</summary>
    public enum Descent : byte
    {
        /// <summary>Walk the upper directory's own entries.</summary>
        Upper,

        /// <summary>Diff the merged directory against the base in full (opaque or redirected).</summary>
        Merged,

        /// <summary>Write every entry of the merged directory (after an opaque marker).</summary>
        Everything,
    }

    /// <summary>
    /// Decides what one upper entry means, reports it, and says how to go on below it (null: not
    /// a directory, or nothing below needs a look). This is the per-entry work a parallel walk shards.
    /// </summary>
    /// <param name="entry">The upper entry as <see cref="DirectoryTree.ListWithXattrNames"/> read it.</param>
    public Descent? Classify(byte[] path, DirEntry entry, IChangeSink sink)
    {
        var upper = entry.Status;
        if (upper.IsWhiteout)
        {
            return Delete(path, sink);
        }

        // The xattr names tell what else is worth reading: most entries have no xattr at all. The
        // listing read them with the directory's descriptor; a caller's own listing may not have.
        var names = entry.XattrNames ?? _upper.ListXattrs(path);
        if (IsXwhiteout(path, upper, names))
        {
            return Delete(path, sink);
        }

        var marks = upper.IsDirectory ? ReadDirectoryMarks(path, names) : default;
        var source = SourceOf(upper, names);
        if (_base.TryLstat(path, out var before, out _))
        {
            if (!_comparer.Same(_base, before, source, upper, path))
            {
                sink.Handle(EntryDetails.Describe(ChangeKind.Modify, path, upper, source, _options.Xattrs, names));
            }
            else if (upper.IsHardLinked)
            {
                // Keeps a new link to an unchanged lower file a link, as the walking differ does (vector 27).
                sink.Handle(EntryDetails.Describe(ChangeKind.Unmodified, path, upper, source, _options.Xattrs, names));
            }

            if (!upper.IsDirectory)
            {
                return null;
            }

            if (marks.Opaque && _options.OpaqueMarkers && before.IsDirectory)
            {
                // docker/containers-storage form: the marker hides every lower child, so every
                // child of this layer must be written. ".wh..opq" becomes "dir/.wh..wh..opq".
                sink.Handle(EntryDetails.Describe(ChangeKind.Delete, PathBytes.Join(path, ".wh..opq"u8), upper, _upper, _options.Xattrs));
                return Descent.Everything;
            }

            // An opaque directory hides the base's children: diff it in full (BuildKit checkOpaque).
            // A redirected one holds a renamed lower tree that the upper does not contain.
            return marks.Opaque || marks.Redirected ? Descent.Merged : Descent.Upper;
        }

        sink.Handle(EntryDetails.Describe(ChangeKind.Add, path, upper, source, _options.Xattrs, names));
        if (!upper.IsDirectory)
        {
            return null;
        }

        // An opaque mark on a path the base lacks means nothing (containers/storage#141).
        return marks.Redirected ? Descent.Merged : Descent.Upper;
    }

    /// <summary>
    /// An xwhiteout (kernel 6.7+): an empty regular file with overlay.whiteout in a directory
    /// marked opaque=x. The committed snapshot is read as a lower, where it hides the name (vector 60).
    /// </summary>
    private bool IsXwhiteout(byte[] path, FileStatus upper, IReadOnlyList<string> names) =>
        upper.Kind == FileKind.Regular && upper.Size == 0 && names.Contains(_overlay.WhiteoutXattr)
        && _upper.GetXattr(PathBytes.Parent(path), _overlay.OpaqueXattr) is [(byte)'x'];

    /// <summary>
    /// A whiteout is a deletion only if the base has the name (BuildKit checkDelete). ENOTDIR:
    /// the whiteout sits under a directory that replaced a lower file; the layer already replaces
    /// that file, so there is nothing to delete (vector 58).
    /// </summary>
    private Descent? Delete(byte[] path, IChangeSink sink)
    {
        if (_base.TryLstat(path, out var gone, out _))
        {
            sink.Handle(EntryDetails.Describe(ChangeKind.Delete, path, gone, _upper, _options.Xattrs));
        }

        return null;
    }

    /// <summary>Where an upper entry's data lives: the upper itself, or for a metacopy file the merged view.</summary>
    private ISnapshotTree SourceOf(FileStatus upper, IReadOnlyList<string> names) =>
        _overlay.Metacopy && upper.Kind == FileKind.Regular && upper.Size > 0 && names.Contains(_overlay.MetacopyXattr) ? _merged : _upper;

    private (bool Opaque, bool Redirected) ReadDirectoryMarks(byte[] path, IReadOnlyList<string> names)
    {
        if (names.Count == 0)
        {
            return default;
        }

        // Only the namespace the mount uses counts (moby/buildkit#2720, vector 22).
        var opaque = names.Contains(_overlay.OpaqueXattr) && _upper.GetXattr(path, _overlay.OpaqueXattr) is [(byte)'y'];
        var redirected = _overlay.RedirectFollow && names.Contains(_overlay.RedirectXattr)
            && _upper.GetXattr(path, _overlay.RedirectXattr) is { Length: > 0 };
        return (opaque, redirected);
    }
}
