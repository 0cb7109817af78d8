namespace ParallelDiff.Core.Tests.Support;

/// <summary>What <see cref="TreeComparison"/> leaves out. The defaults are the round-trip rules of the vectors' README.</summary>
public sealed record TreeComparisonOptions
{
    /// <summary>The README's rules: every field, mtimes of non-directories only, the root skipped.</summary>
    public static TreeComparisonOptions Default { get; } = new();

    /// <summary>
    /// The README's rules minus what no layer can carry: sockets (never written to a tar; vectors 16
    /// and 30) and names beginning with ".wh." (a tar reader takes them for whiteouts; vector 42).
    /// </summary>
    public static TreeComparisonOptions LayerExpressible { get; } = new() { IgnoreSockets = true, IgnoreWhiteoutPrefixedNames = true };

    /// <summary>Everything, including the root and directory mtimes: for a copy that must be exact, such as the kernel oracle.</summary>
    public static TreeComparisonOptions Exact { get; } = new() { IncludeRoot = true, CompareDirectoryMtimes = true };

    /// <summary>Leave out sockets on both sides.</summary>
    public bool IgnoreSockets { get; init; }

    /// <summary>Leave out every path that has a component starting with ".wh.", on both sides.</summary>
    public bool IgnoreWhiteoutPrefixedNames { get; init; }

    /// <summary>Compare the mtimes of directories too (no layer writes a directory whose only change is its mtime).</summary>
    public bool CompareDirectoryMtimes { get; init; }

    /// <summary>Compare the root "." too (no layer carries it).</summary>
    public bool IncludeRoot { get; init; }
}
