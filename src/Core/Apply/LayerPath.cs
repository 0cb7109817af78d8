namespace ParallelDiff.Core.Apply;

/// <summary>Lexical handling of entry names, on bytes.</summary>
internal static class LayerPath
{
    /// <summary>
    /// Go's filepath.Clean of a relative name: "." and empty components dropped, ".." eats the
    /// component before it. containerd cleans and then clamps ".." at the root; we refuse instead,
    /// since no honest layer writer produces an absolute name or one that climbs out. False for
    /// those; an empty result is the root itself.
    /// </summary>
    public static bool TryClean(ReadOnlySpan<byte> name, out byte[] clean)
    {
        clean = [];
        if (!name.IsEmpty && name[0] == (byte)'/')
        {
            return false;
        }

        var kept = new List<Range>();
        foreach (var range in name.Split((byte)'/'))
        {
            var part = name[range];
            if (part.IsEmpty || part.SequenceEqual("."u8))
            {
                continue;
            }

            if (part.SequenceEqual(".."u8))
            {
                if (kept.Count == 0)
                {
                    return false;
                }

                kept.RemoveAt(kept.Count - 1);
                continue;
            }

            kept.Add(range);
        }

        var result = new List<byte>(name.Length);
        foreach (var range in kept)
        {
            if (result.Count > 0)
            {
                result.Add((byte)'/');
            }

            result.AddRange(name[range]);
        }

        clean = [.. result];
        return true;
    }

    /// <summary>A clean name split at its last '/': ("a/b", "c") for "a/b/c", ("", "c") for "c".</summary>
    public static (byte[] Parent, byte[] Base) Split(byte[] clean)
    {
        var slash = clean.AsSpan().LastIndexOf((byte)'/');
        return slash < 0 ? ([], clean) : (clean[..slash], clean[(slash + 1)..]);
    }

    /// <summary>
    /// The components of a symlink target for the kernel to walk again: empty and "." parts
    /// dropped, ".." kept (only the kernel knows what it means past a symlink).
    /// </summary>
    public static List<byte[]> Components(ReadOnlySpan<byte> path)
    {
        var parts = new List<byte[]>();
        foreach (var range in path.Split((byte)'/'))
        {
            var part = path[range];
            if (!part.IsEmpty && !part.SequenceEqual("."u8))
            {
                parts.Add(part.ToArray());
            }
        }

        return parts;
    }

    public static byte[] Join(List<byte[]> components, int count)
    {
        var result = new List<byte>();
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                result.Add((byte)'/');
            }

            result.AddRange(components[i]);
        }

        return [.. result];
    }
}
