namespace ParallelDiff.Engine;

/// <summary>
/// paralleldiff-engine: the same commands as paralleldiff, run in-process whatever their size.
/// paralleldiff starts it (an exec of the same command line) for the work that needs Akka.
/// </summary>
public static class EngineProgram
{
    public static int Main(string[] args) => Cli.Program.Main(args);
}
