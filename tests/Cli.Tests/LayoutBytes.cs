using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>Compares two directories file by file: the same relative names, the same bytes.</summary>
public static class LayoutBytes
{
    public static void AssertEqual(string expectedRoot, string actualRoot)
    {
        var expected = Files(expectedRoot);
        var actual = Files(actualRoot);
        Assert.Equal(expected, actual);
        foreach (var name in expected)
        {
            var a = File.ReadAllBytes(Path.Combine(expectedRoot, name));
            var b = File.ReadAllBytes(Path.Combine(actualRoot, name));
            Assert.True(a.AsSpan().SequenceEqual(b), $"{name} differs between {expectedRoot} and {actualRoot}");
        }
    }

    /// <summary>Every file under root (hidden ones included), relative, in ordinal order.</summary>
    public static List<string> Files(string root) =>
        Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal).ToList();
}
