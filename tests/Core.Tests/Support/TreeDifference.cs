namespace ParallelDiff.Core.Tests.Support;

/// <summary>One way two trees differ: at Path, Field is Expected in one and Actual in the other.</summary>
public sealed record TreeDifference(string Path, string Field, string Expected, string Actual)
{
    public override string ToString() => $"{Path}: {Field}: expected {Expected}, actual {Actual}";
}
