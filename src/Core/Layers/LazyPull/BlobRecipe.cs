namespace ParallelDiff.Core.Layers.LazyPull;

/// <summary>
/// What a lazy-pull blob is made of, in order: a frame by its cache key (which fixes its compressed
/// bytes, the codecs being deterministic), any other bytes as themselves. Equal recipes are equal
/// blobs, so a blob made before is known by its recipe without hashing it again
/// (<see cref="FrameCache.TryGetBlob"/>).
/// </summary>
internal sealed class BlobRecipe : IDisposable
{
    private readonly Sha256Hasher _hash = new();

    /// <summary>"sha256:…" of the recipe so far.</summary>
    public string Digest => Sha256Text.FromHash(_hash.CurrentHash());

    // "k" KEY "\n" for a frame, "r" LENGTH BYTES for other bytes: no two recipes read alike.
    public void AddFrame(string key)
    {
        Span<byte> line = stackalloc byte[key.Length + 2];
        line[0] = (byte)'k';
        System.Text.Encoding.ASCII.GetBytes(key, line[1..]);
        line[^1] = (byte)'\n';
        _hash.Append(line);
    }

    public void AddBytes(ReadOnlySpan<byte> bytes)
    {
        Span<byte> head = stackalloc byte[9];
        head[0] = (byte)'r';
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(head[1..], bytes.Length);
        _hash.Append(head);
        _hash.Append(bytes);
    }

    public void Dispose() => _hash.Dispose();
}
