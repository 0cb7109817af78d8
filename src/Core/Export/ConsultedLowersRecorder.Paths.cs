using ParallelDiff.Core.Fs;

namespace ParallelDiff.Core.Export;

public sealed partial class ConsultedLowersRecorder
{
    /// <summary>
    /// Records <paramref name="path"/> and its ancestors (root first) when it is under a lower's
    /// root; notes it when it is under no root at all.
    /// </summary>
    /// <returns>Whether the path is a lower's.</returns>
    private bool Consult(ReadOnlySpan<byte> path)
    {
        if (_printsBySpan.ContainsKey(path))
        {
            // Recorded after its ancestors, so they are too.
            return true;
        }

        var root = LowerRootOf(path);
        if (root is null)
        {
            var other = RootOf(path, _otherRoots);
            if (other is null || !IsCanonical(path, other))
            {
                Interlocked.CompareExchange(ref _outside, path.ToArray(), null);
            }

            return false;
        }

        if (!IsCanonical(path, root))
        {
            Interlocked.CompareExchange(ref _outside, path.ToArray(), null);
        }

        Record(root);
        for (var i = root.Length + 1; i < path.Length; i++)
        {
            if (path[i] == (byte)'/')
            {
                Record(path[..i]);
            }
        }

        Record(path);
        return true;
    }

    /// <summary>Prints <paramref name="path"/> now, unless it has its print already.</summary>
    private void Record(ReadOnlySpan<byte> path)
    {
        if (!_printsBySpan.ContainsKey(path))
        {
            // GetOrAdd returns only once some print is stored, and every stored print was taken
            // before it was stored: whatever call follows comes after the print that is kept.
            _prints.GetOrAdd(path.ToArray(), static (p, inner) => PathStatPrint.Take(inner, p), _inner);
        }
    }

    /// <summary>A listed entry: its print is the listing's own lstat, with its xattr names.</summary>
    private void RecordListed(byte[] path, in DirEntry entry)
    {
        if (_printsBySpan.ContainsKey(path))
        {
            return;
        }

        byte[] print;
        try
        {
            print = PathStatPrint.Of(entry.Status, entry.XattrNames ?? _inner.ListXattrs(path));
        }
        catch (FsException)
        {
            // Gone since the listing: its status as listed, which nothing found there later
            // can print as (a name made again is another inode or another ctime).
            print = PathStatPrint.Of(entry.Status, []);
        }

        _prints.TryAdd(path, print);
    }

    private byte[]? LowerRootOf(ReadOnlySpan<byte> path) => RootOf(path, _lowerRoots);

    /// <summary>The longest of <paramref name="roots"/> that <paramref name="path"/> is under, or null.</summary>
    private static byte[]? RootOf(ReadOnlySpan<byte> path, byte[][] roots)
    {
        byte[]? found = null;
        foreach (var root in roots)
        {
            if (IsUnder(path, root) && (found is null || root.Length > found.Length))
            {
                found = root;
            }
        }

        return found;
    }

    /// <summary>The root itself, or root + "/" + more.</summary>
    private static bool IsUnder(ReadOnlySpan<byte> path, byte[] root) =>
        path.StartsWith(root) && (path.Length == root.Length || path[root.Length] == (byte)'/');

    /// <summary>
    /// No empty, "." or ".." component below the root: a path that a prefix test would place under
    /// the root but that the kernel might resolve elsewhere counts as outside it.
    /// </summary>
    private static bool IsCanonical(ReadOnlySpan<byte> path, byte[] root)
    {
        if (path.Length == root.Length)
        {
            return true;
        }

        var rest = path[(root.Length + 1)..];
        while (true)
        {
            var slash = rest.IndexOf((byte)'/');
            var name = slash < 0 ? rest : rest[..slash];
            if (name.IsEmpty || name.SequenceEqual("."u8) || name.SequenceEqual(".."u8))
            {
                return false;
            }

            if (slash < 0)
            {
                return true;
            }

            rest = rest[(slash + 1)..];
        }
    }
}
