using ParallelDiff.Core.Fs;

namespace ParallelDiff.Core.Export;

public sealed partial class ConsultedLowersRecorder
{
    /// <summary>
    /// Once the export is over: every recorded path printed again and, when each prints as it did
    /// when first recorded, the consulted paths with their digest. Null, with <paramref name="why"/>,
    /// when a path changed while the export read it, or when a call named a path under none of
    /// the roots (a symbolic link on the way to a root changed after the key resolved it): the layer
    /// may then hold a tree that the recorded paths do not describe.
    /// </summary>
    public ConsultedLowers? Finish(out string? why)
    {
        if (Volatile.Read(ref _outside) is { } outside)
        {
            why = $"{PathBytes.Display(outside)} was read, which is not under the snapshot's directories as its key resolved them";
            return null;
        }

        var byRoot = _lowerRoots.ToDictionary(r => r, _ => new List<byte[]>(), ByteArrayComparer.Instance);
        foreach (var path in _prints.Keys)
        {
            var root = LowerRootOf(path)!;
            byRoot[root].Add(path.Length == root.Length ? [] : path[(root.Length + 1)..]);
        }

        var lowers = _lowerRoots.Select(root =>
        {
            var paths = byRoot[root];
            paths.Sort(PathBytes.NameOrder);
            return new ConsultedLower(root, paths);
        }).ToList();

        byte[]? changed = null;
        var digest = ConsultedLowers.DigestOf(lowers, absolute =>
        {
            var now = PathStatPrint.Take(_inner, absolute);
            if (changed is null && !now.AsSpan().SequenceEqual(_prints[absolute]))
            {
                changed = absolute;
            }

            return now;
        });
        if (changed is not null)
        {
            why = $"{PathBytes.Display(changed)} changed while it was read";
            return null;
        }

        why = null;
        return new ConsultedLowers(lowers, digest);
    }
}
