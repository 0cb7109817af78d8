using Xunit;

namespace ParallelDiff.Cli.Tests;

/// <summary>A fact about the published executables themselves; skipped, saying how to run it, when the tests run the JIT build.</summary>
public sealed class PublishedBinaryFactAttribute : FactAttribute
{
    public PublishedBinaryFactAttribute()
    {
        if (CliRunner.PublishedBinary is null)
        {
            Skip = "needs the published executables: run ./run.sh test, or set PARALLELDIFF_CLI to artifacts/cli/paralleldiff";
        }
    }
}
