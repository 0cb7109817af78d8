using System.Text;
using ParallelDiff.Core.Apply;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Native;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Apply;

/// <summary>
/// A temporary destination to apply layers onto, next to a sentinel directory outside it whose
/// contents every test can check were left untouched.
/// </summary>
public abstract class ApplyFixture : IDisposable
{
    private readonly string _base = Directory.CreateTempSubdirectory("apply-").FullName;

    protected ApplyFixture()
    {
        Dest = Path.Combine(_base, "dest");
        Outside = Path.Combine(_base, "outside");
        Directory.CreateDirectory(Dest);
        Directory.CreateDirectory(Outside);
        File.WriteAllText(Path.Combine(Outside, "sentinel"), "untouched");
    }

    /// <summary>The applied tree.</summary>
    protected string Dest { get; }

    /// <summary>A sibling of Dest that no layer may change.</summary>
    protected string Outside { get; }

    protected static ApplyOptions Options => new() { NoSameOwner = !Privileges.IsRoot };

    public void Dispose()
    {
        // Names need not be UTF-8, so the cleanup works on bytes too.
        AtCalls.RemoveAll(LibC.AT_FDCWD, Encoding.UTF8.GetBytes(_base));
        GC.SuppressFinalize(this);
    }

    protected ApplyResult Apply(TestTar tar) => LayerApplier.Apply(tar.ToStream(), Dest, Options);

    protected ApplyResult Apply(byte[] tar) => LayerApplier.Apply(new MemoryStream(tar), Dest, Options);

    protected string At(string relative) => Path.Combine(Dest, relative);

    protected static byte[] B(string s) => Encoding.UTF8.GetBytes(s);

    protected FileStatus Lstat(string relative) => Lstat(B(relative));

    protected FileStatus Lstat(byte[] relative)
    {
        var path = PathBytes.Join(B(Dest), relative);
        Assert.True(LinuxFileSystem.Instance.TryLstat(path, out var status, out var errno), $"{PathBytes.Display(path)}: {Errno.Describe(errno)}");
        return status;
    }

    protected bool Exists(string relative) => LinuxFileSystem.Instance.TryLstat(PathBytes.Join(B(Dest), B(relative)), out _, out _);

    protected string Read(string relative) => File.ReadAllText(At(relative));

    /// <summary>Every path under Dest, sorted, dirs with a trailing '/'.</summary>
    protected List<string> Tree()
    {
        var names = new List<string>();
        Walk("", names);
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    private void Walk(string relative, List<string> names)
    {
        foreach (var name in LinuxFileSystem.Instance.ReadDirectory(PathBytes.Join(B(Dest), B(relative))))
        {
            var child = relative.Length == 0 ? Encoding.UTF8.GetString(name) : relative + "/" + Encoding.UTF8.GetString(name);
            if (Lstat(child).IsDirectory)
            {
                names.Add(child + "/");
                Walk(child, names);
            }
            else
            {
                names.Add(child);
            }
        }
    }

    /// <summary>The sentinel directory holds exactly what the fixture put there.</summary>
    protected void AssertOutsideUntouched()
    {
        Assert.Equal(["sentinel"], Directory.GetFileSystemEntries(Outside).Select(Path.GetFileName));
        Assert.Equal("untouched", File.ReadAllText(Path.Combine(Outside, "sentinel")));
        Assert.Equal(["dest", "outside"], Directory.GetFileSystemEntries(Path.GetDirectoryName(Dest)!).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
