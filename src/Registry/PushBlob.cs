namespace ParallelDiff.Registry;

/// <summary>
/// A blob an image push must make sure of: its digest and size, and how to read it should the
/// registry not have it (null for a blob already uploaded while it was written).
/// </summary>
public sealed record PushBlob(string Digest, long Size, Func<Stream>? Open)
{
    public static PushBlob FromBytes(string digest, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return new PushBlob(digest, bytes.Length, () => new MemoryStream(bytes, writable: false));
    }
}
