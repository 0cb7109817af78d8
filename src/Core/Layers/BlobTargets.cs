namespace ParallelDiff.Core.Layers;

/// <summary>The ways the exporters open a blob's destination.</summary>
public static class BlobTargets
{
    /// <summary>
    /// A file at <paramref name="path"/>, and <paramref name="copy"/> (a registry upload) when given:
    /// the exporters' default, and what --push beside -o or a layout asks for.
    /// </summary>
    public static IBlobTarget Open(string path, bool durable, Func<IBlobTarget>? copy) =>
        copy is null ? AtomicOutputFile.Create(path, durable) : Both(() => AtomicOutputFile.Create(path, durable), copy);

    /// <summary>
    /// Both destinations get every byte; the second commits first, so that the file, the one a
    /// later run trusts, appears only when the copy is whole too.
    /// </summary>
    public static IBlobTarget Both(Func<IBlobTarget> first, Func<IBlobTarget> second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        var a = first();
        try
        {
            return new TeeBlobTarget(a, second());
        }
        catch
        {
            a.Dispose();
            throw;
        }
    }

    private sealed class TeeBlobTarget(IBlobTarget first, IBlobTarget second) : IBlobTarget
    {
        private readonly TeeWriteStream _stream = new(first.Stream, second.Stream);

        public string Name => first.Name + " and " + second.Name;

        public Stream Stream => _stream;

        public void Commit()
        {
            second.Commit();
            first.Commit();
        }

        public void Dispose()
        {
            try
            {
                second.Dispose();
            }
            finally
            {
                first.Dispose();
            }
        }
    }

    private sealed class TeeWriteStream(Stream first, Stream second) : WriteOnlyStream
    {
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            first.Write(buffer);
            second.Write(buffer);
        }

        public override void Flush()
        {
            first.Flush();
            second.Flush();
        }
    }
}
