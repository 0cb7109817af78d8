using ParallelDiff.Core.Compression;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Streams.Tests.Support;

/// <summary>
/// A snapshot on disk for pipeline tests: an empty --from and a --to holding the shapes that
/// stress the tar stage (sizes around 512 and the chunk size, multi-MiB files, an empty file, a
/// hard link pair, a symlink, nested directories). Its changes come from Core's walking differ,
/// and its reference blob from Core's SequentialLayerExporter.
/// </summary>
public sealed class LayerTree : IDisposable
{
    public LayerTree()
    {
        Root = Directory.CreateTempSubdirectory("pd-streams-").FullName;
        From = Directory.CreateDirectory(Path.Combine(Root, "from")).FullName;
        To = Directory.CreateDirectory(Path.Combine(Root, "to")).FullName;
        Output = Directory.CreateDirectory(Path.Combine(Root, "out")).FullName;
        var random = new Random(20240611);
        Write("empty", 0, random);
        Write("a/511", 511, random);
        Write("a/512", 512, random);
        Write("a/513", 513, random);
        Write("a/b/c/deep", 70_000, random);
        Write("a/b/chunk", 64 * 1024, random);
        Write("big/three-mib", 3 * 1024 * 1024 + 17, random);
        Write("big/five-mib", 5 * 1024 * 1024, random);
        Write("links/original", 100_000, random);
        Native.HardLink(Path.Combine(To, "links/original"), Path.Combine(To, "links/second-name"));
        File.CreateSymbolicLink(Path.Combine(To, "links/symlink"), "original");
        Directory.CreateDirectory(Path.Combine(To, "z/empty-dir"));
        Diff = SnapshotDiff.Open(Snapshot.OfTrees(From, To));
        Changes = LayerTar.Changes(Diff, Options, _ => { }, CancellationToken.None, out _);
    }

    public string Root { get; }

    public string From { get; }

    public string To { get; }

    /// <summary>An empty directory for outputs: after any run it must hold only committed layers.</summary>
    public string Output { get; }

    public static LayerOptions Options { get; } = LayerOptions.Default with { Differ = DifferKind.Walking };

    public static ChangeWriterOptions WriterOptions => Options.Writer with { Xattrs = Options.Diff.Xattrs };

    public SnapshotDiff Diff { get; }

    public IReadOnlyList<Change> Changes { get; }

    public ISnapshotTree Parents => Diff.New;

    public string PathOf(string relative) => Path.Combine(To, relative);

    /// <summary>The blob, descriptor and tar length of Core's sequential exporter for these changes.</summary>
    public (byte[] Blob, LayerDescriptor Descriptor, long TarBytes, int Entries, long DataBytes) Reference(CompressionSettings compression)
    {
        using var blob = new MemoryStream();
        var (result, descriptor, tarBytes) = SequentialLayerExporter.WriteBlob(Diff, Changes, DifferKind.Walking, Options, compression, blob, CancellationToken.None);
        return (blob.ToArray(), descriptor, tarBytes, result.Entries, result.DataBytes);
    }

    /// <summary>The uncompressed tar as Core's sequential writer produces it.</summary>
    public byte[] ReferenceTar() => Reference(CompressionSettings.For(LayerCompression.None, blockSize: 1 << 20)).Blob;

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private void Write(string relative, int size, Random random)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var data = new byte[size];
        // Half random, half repetitive: compressible enough for the codecs to do real work.
        random.NextBytes(data.AsSpan(0, size / 2));
        File.WriteAllBytes(path, data);
    }
}
