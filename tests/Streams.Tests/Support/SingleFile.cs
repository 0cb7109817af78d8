using System.Text;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Tar;

namespace ParallelDiff.Streams.Tests.Support;

/// <summary>A directory with one file of chosen bytes, and the layer entry a diff would have made of it.</summary>
public sealed class SingleFile : IDisposable
{
    public SingleFile(int size, string name = "data.bin")
    {
        Root = Directory.CreateTempSubdirectory("pd-single-").FullName;
        Name = name;
        var data = new byte[size];
        new Random(size).NextBytes(data);
        File.WriteAllBytes(FilePath, data);
        Tree = new DirectoryTree(Root, "to");
    }

    public string Root { get; }

    public string Name { get; }

    public string FilePath => Path.Combine(Root, Name);

    public DirectoryTree Tree { get; }

    /// <summary>The entry as lstat'ed now, or with the size a header announced earlier.</summary>
    public LayerEntry Entry(long? announcedSize = null, ISnapshotTree? source = null) => new(
        new TarHeader
        {
            Name = Encoding.UTF8.GetBytes(Name),
            Type = TarEntryType.Regular,
            Mode = 420,
            Size = announcedSize ?? new FileInfo(FilePath).Length,
        },
        source ?? Tree,
        Encoding.UTF8.GetBytes(Name));

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
