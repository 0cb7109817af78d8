namespace ParallelDiff.Core.Tests.Support;

/// <summary>Finds the repository's folders from the test binary's location.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootLazy = new(FindRoot);

    public static string Root => RootLazy.Value;

    public static string Vectors => Path.Combine(Root, "tests", "vectors");

    public static IEnumerable<string> VectorNames() =>
        Directory.GetDirectories(Vectors).Select(Path.GetFileName).Where(n => n is not null && char.IsDigit(n[0])).Order(StringComparer.Ordinal)!;

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ParallelDiff.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("cannot find ParallelDiff.sln above " + AppContext.BaseDirectory);
    }
}
