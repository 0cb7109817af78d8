using System.Text;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Tar;

namespace ParallelDiff.Streams.Tests.Support;

/// <summary>
/// A directory of many small files of seeded random sizes (0 to 3 KiB, around 512 on purpose),
/// and the layer entries a diff would have made of them: hundreds share one tar block.
/// </summary>
public sealed class ManyFiles : IDisposable
{
    public ManyFiles(int count, int seed)
    {
        Root = Directory.CreateTempSubdirectory("pd-many-").FullName;
        Tree = new RecordingTree(new DirectoryTree(Root, "to"));
        var random = new Random(seed);
        var entries = new List<LayerEntry>();
        for (var i = 0; i < count; i++)
        {
            var name = $"f{i:D5}";
            var data = new byte[random.Next(4) == 0 ? random.Next(500, 530) : random.Next(0, 3073)];
            random.NextBytes(data);
            File.WriteAllBytes(Path.Combine(Root, name), data);
            entries.Add(new LayerEntry(
                new TarHeader { Name = Encoding.UTF8.GetBytes(name), Type = TarEntryType.Regular, Mode = 420, Size = data.Length },
                Tree,
                Encoding.UTF8.GetBytes(name)));
        }

        Entries = entries;
    }

    public string Root { get; }

    /// <summary>The files' tree, recording where each file was opened.</summary>
    public RecordingTree Tree { get; }

    public IReadOnlyList<LayerEntry> Entries { get; }

    /// <summary>The tar of <see cref="Entries"/> as Core's sequential writer produces it.</summary>
    public byte[] ReferenceTar()
    {
        using var output = new MemoryStream();
        var tar = new TarStreamWriter(output, CancellationToken.None);
        foreach (var entry in Entries)
        {
            tar.Write(entry);
        }

        tar.Finish();
        return output.ToArray();
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
