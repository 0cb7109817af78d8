using System.Globalization;
using Mono.Unix.Native;
using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Tests.Support;
using ParallelDiff.Core.Tests.Vectors;

namespace ParallelDiff.Actors.Tests.Support;

/// <summary>
/// A generated overlay snapshot big enough to shard: a lower of directories and files, and an
/// upper with hundreds of directories and files over it (modified, new, nested several deep, a
/// symlink) and one directory with <c>bigEntries</c> entries. As root it also holds whiteouts of a
/// file and of a directory and an opaque directory (a whole-subtree descent).
/// </summary>
public sealed class GeneratedSnapshot : IDisposable
{
    private readonly ScratchDirectory _scratch;
    private readonly HashSet<string> _whole = [];

    private GeneratedSnapshot(ScratchDirectory scratch)
    {
        _scratch = scratch;
        Lower = Path.Combine(scratch.Path, "lower");
        Upper = Path.Combine(scratch.Path, "upper");
    }

    public string Lower { get; }

    public string Upper { get; }

    public string Root => _scratch.Path;

    public Snapshot Snapshot => Snapshot.OfOverlay(Upper, [Lower]);

    /// <summary>Upper directories the overlay walk diffs whole (opaque ones), not as shards of their own.</summary>
    public IReadOnlySet<string> WholeSubtrees => _whole;

    public static GeneratedSnapshot Create(int topDirectories = 40, int bigEntries = 60, int fileBytes = 64)
    {
        var s = new GeneratedSnapshot(ScratchDirectory.Create("pd-actors-"));
        try
        {
            s.Fill(topDirectories, bigEntries, fileBytes);
            return s;
        }
        catch
        {
            s.Dispose();
            throw;
        }
    }

    public void Dispose() => _scratch.Dispose();

    private static string Name(string prefix, int i) => prefix + i.ToString("D3", CultureInfo.InvariantCulture);

    private static void File(string path, string text, int bytes)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var content = new byte[bytes + text.Length];
        System.Text.Encoding.ASCII.GetBytes(text).CopyTo(content, 0);
        System.IO.File.WriteAllBytes(path, content);
    }

    private void Fill(int topDirectories, int bigEntries, int fileBytes)
    {
        for (var i = 0; i < topDirectories; i++)
        {
            var d = Name("d", i);
            for (var j = 0; j < 6; j++)
            {
                File(Path.Combine(Lower, d, Name("f", j)), $"lower {i} {j}", fileBytes);
            }

            for (var j = 0; j < 3; j++)
            {
                File(Path.Combine(Lower, d, "keep", Name("k", j)), $"keep {i} {j}", fileBytes);
            }

            // The copied-up directory, a modified file and some new ones.
            Directory.CreateDirectory(Path.Combine(Upper, d));
            File(Path.Combine(Upper, d, Name("f", 0)), $"upper {i}", fileBytes * 2);
            for (var j = 0; j <= i % 5; j++)
            {
                File(Path.Combine(Upper, d, Name("n", j)), $"new {i} {j}", fileBytes);
            }

            if (i % 3 == 0)
            {
                for (var j = 0; j < 3; j++)
                {
                    File(Path.Combine(Upper, d, "deep", "a", "b", Name("c", j), "leaf"), $"deep {i} {j}", fileBytes);
                }
            }

            if (i % 4 == 0)
            {
                File(Path.Combine(Upper, d, "keep", "k999"), $"keep new {i}", fileBytes);
            }
        }

        for (var e = 0; e < bigEntries; e++)
        {
            var name = Path.Combine(Upper, "big", Name("e", e));
            if (e % 10 == 3)
            {
                File(Path.Combine(name, "x"), $"big {e} x", fileBytes);
                File(Path.Combine(name, "y"), $"big {e} y", fileBytes);
            }
            else
            {
                File(name, $"big {e}", fileBytes);
            }
        }

        for (var t = 0; t < 5; t++)
        {
            File(Path.Combine(Upper, Name("top", t)), $"top {t}", fileBytes);
        }

        System.IO.File.CreateSymbolicLink(Path.Combine(Upper, "link"), "d000/f000");
        if (Privileges.IsRoot && topDirectories > 5)
        {
            AddOverlayMarks();
        }
    }

    /// <summary>Whiteouts (char 0/0) for a lower file and a lower directory, and an opaque directory over a lower one.</summary>
    private void AddOverlayMarks()
    {
        Whiteout(Path.Combine(Upper, Name("d", 1), Name("f", 3)));
        Whiteout(Path.Combine(Upper, Name("d", 5), "keep"));
        var opaque = Path.Combine(Upper, Name("d", 2), "keep");
        File(Path.Combine(opaque, "only"), "opaque child", 16);
        Check(Syscall.setxattr(opaque, "trusted.overlay.opaque", "y"u8.ToArray()), "setxattr", opaque);
        _whole.Add(opaque);
    }

    private static void Whiteout(string path) =>
        Check(Syscall.mknod(path, FilePermissions.S_IFCHR | FilePermissions.S_IRUSR | FilePermissions.S_IWUSR, 0), "mknod", path);

    private static void Check(int rc, string operation, string path)
    {
        if (rc != 0)
        {
            throw new IOException($"{path}: {operation}: {Stdlib.GetLastError()}");
        }
    }
}
