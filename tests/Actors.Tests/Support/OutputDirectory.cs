using ParallelDiff.Core.Tests.Support;

namespace ParallelDiff.Actors.Tests.Support;

/// <summary>A scratch directory for blobs: a test can check that nothing but what it expects is left in it.</summary>
public sealed class OutputDirectory : IDisposable
{
    private readonly ScratchDirectory _scratch = ScratchDirectory.Create("pd-out-");

    public string Path => _scratch.Path;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Every name in the directory, hidden temporary files included.</summary>
    public IReadOnlyList<string> Names() => Directory.EnumerateFileSystemEntries(Path).Select(System.IO.Path.GetFileName).Order(StringComparer.Ordinal).ToList()!;

    public void Dispose() => _scratch.Dispose();
}
