using System.Text;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Hosting.Tests.Support;

/// <summary>
/// A small overlay snapshot in a scratch directory: a lower of three files and an upper that
/// changes one, adds one beside an untouched one, and adds a nested directory. <see cref="ExpectedFiles"/>
/// is what its layer must hold: the changed and added files, nothing of the lower's untouched ones.
/// </summary>
public sealed class ScratchSnapshot : IDisposable
{
    private ScratchSnapshot(string root, string tag)
    {
        Root = root;
        Lower = Path.Combine(root, "lower");
        Upper = Path.Combine(root, "upper");
        ExpectedFiles = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["change.txt"] = Encoding.UTF8.GetBytes($"after {tag}\n"),
            ["dir/new.txt"] = Encoding.UTF8.GetBytes($"new {tag}\n"),
            ["added/deep/data.bin"] = Enumerable.Range(0, 70_000).Select(i => (byte)(i * 31 + tag.Length)).ToArray(),
        };
    }

    public string Root { get; }

    public string Lower { get; }

    public string Upper { get; }

    /// <summary>Regular files the layer holds, by tar name, with their content.</summary>
    public IReadOnlyDictionary<string, byte[]> ExpectedFiles { get; }

    /// <summary>Files of the lower that the upper leaves alone: no layer entry.</summary>
    public static IReadOnlyList<string> UntouchedFiles { get; } = ["keep.txt", "dir/old.txt"];

    public Snapshot Snapshot => Snapshot.OfOverlay(Upper, [Lower]);

    /// <summary>A snapshot whose file contents carry <paramref name="tag"/>, so two of them give two layers.</summary>
    public static ScratchSnapshot Create(string tag = "a", string? under = null)
    {
        var root = under is null ? Directory.CreateTempSubdirectory("pd-hosting-").FullName : Directory.CreateDirectory(Path.Combine(under, tag)).FullName;
        var snapshot = new ScratchSnapshot(root, tag);
        Write(snapshot.Lower, "keep.txt", "kept\n"u8.ToArray());
        Write(snapshot.Lower, "change.txt", "before\n"u8.ToArray());
        Write(snapshot.Lower, "dir/old.txt", "old\n"u8.ToArray());
        foreach (var (name, content) in snapshot.ExpectedFiles)
        {
            Write(snapshot.Upper, name, content);
        }

        return snapshot;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private static void Write(string top, string name, byte[] content)
    {
        var path = Path.Combine(top, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
    }
}
