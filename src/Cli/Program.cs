using System.Runtime.InteropServices;
using ParallelDiff.Cli.Commands;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Cli;

/// <summary>paralleldiff: overlay snapshots to OCI layers.</summary>
public static class Program
{
    public const string Help = """
        usage: paralleldiff COMMAND [options]     (paralleldiff COMMAND --help for details)
               paralleldiff --version             the version and the source commit it was built from

        commands
          diff        write the layer of one snapshot (a file, or into an OCI layout) and print its descriptor
          image       export every layer of an overlay stack at once as one tagged image in an OCI layout
          export      export many snapshots (a job file) into one OCI layout: concurrent, resumable
          apply       apply a layer onto a directory (containerd semantics, never outside it)
          node        a worker of a cluster export (export --cluster): joins the cluster, exports what it is handed
          completion  print the bash completion script: source <(paralleldiff completion bash)

        paralleldiff writes small uppers itself; it hands bigger ones, image, export and node to
        paralleldiff-engine beside it (the same program with the actor engine, slower to start)

        exit codes: 0 success, 1 failure (the message names the path and the cause),
                    2 bad command line, 3 some snapshots of an export failed, 130 interrupted
        """;

    /// <summary>Every command, as its parser declares it: what completion offers, and what each --help is checked against.</summary>
    public static IReadOnlyList<CommandSyntax> Commands =>
        [DiffCommand.Syntax, ImageCommand.Syntax, ExportCommand.Syntax, ApplyCommand.Syntax, NodeCommand.Syntax, CompletionCommand.Syntax];

    public static int Main(string[] args)
    {
        Cluster.ClusterMemberThreadPool.Configure(args);
        using var cancellation = new CancellationTokenSource();

        // Ctrl-C (SIGINT) and Ctrl-\ (SIGQUIT), which Console.CancelKeyPress would report, taken
        // directly: that event sets up System.Console first (the terminal, terminfo), some 10 ms of a
        // one-file diff. Let the work stop at its next check and clean up its temp files; a second one kills.
        void Interrupt(PosixSignalContext signal)
        {
            signal.Cancel = !cancellation.IsCancellationRequested;
            cancellation.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
        using var sigquit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, Interrupt);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; cancellation.Cancel(); });
        return Run(RawArguments.Recover(args), cancellation.Token);
    }

    public static int Run(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        if (args.Count == 0 || args[0] is "-h" or "--help" or "help")
        {
            StandardOutput.Write(Help);
            return args.Count == 0 ? ExitCodes.Usage : ExitCodes.Success;
        }

        if (args[0] is "--version" or "version")
        {
            StandardOutput.WriteLine(VersionLine());
            return ExitCodes.Success;
        }

        var command = args[0];
        var rest = args.Skip(1).ToList();
        var (help, run) = command switch
        {
            "diff" => (DiffCommand.Help, (Func<IReadOnlyList<string>, CancellationToken, int>)DiffCommand.Run),
            // In the front these go to the engine whole: their layers are big (a whole stack) or
            // many, and the engine's start-up is paid once.
            "image" => (ImageCommand.Help, EngineHandoff.IsFront ? HandOff : ImageCommand.Run),
            "export" => (ExportCommand.Help, EngineHandoff.IsFront ? HandOff : ExportCommand.Run),
            "apply" => (ApplyCommand.Help, ApplyCommand.Run),
            "completion" => (CompletionCommand.Help, CompletionCommand.Run),
            "node" => (NodeCommand.Help, EngineHandoff.IsFront ? HandOff : NodeCommand.Run),
            _ => (null, null),
        };
        if (run is null)
        {
            Console.Error.WriteLine($"paralleldiff: unknown command '{command}'\n");
            Console.Error.Write(Help);
            return ExitCodes.Usage;
        }

        if (rest.Contains("--help") || rest.Contains("-h"))
        {
            StandardOutput.Write(help!); // set with run, which is not null here
            return ExitCodes.Success;
        }

        try
        {
            return run(rest, cancellationToken);
        }
        catch (Exception e) when (e is UsageException or Core.Export.JobListException)
        {
            Console.Error.WriteLine($"paralleldiff {command}: {e.Message}");
            Console.Error.WriteLine($"run 'paralleldiff {command} --help' for the options");
            return ExitCodes.Usage;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"paralleldiff {command}: interrupted; no output was left behind");
            return ExitCodes.Interrupted;
        }
        catch (Exception e) when (e is IOException or SnapshotException or UnauthorizedAccessException or InvalidDataException or ArgumentException
            or Core.Tar.TarEncodingException or LayerFailedException or TimeoutException or Actors.Walk.WalkFailedException)
        {
            Console.Error.WriteLine($"paralleldiff {command}: {OneLine(e)}");
            FailureDetail.WriteIfAsked(e);
            return ExitCodes.Failed;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            FailureDetail.WriteIfAsked(e);
            // Nothing expected ends here, but a person still gets one line and exit 1, not an abort
            // with a stack trace; the type says where to look.
            Console.Error.WriteLine($"paralleldiff {command}: {OneLine(e)} ({e.GetType().Name})");
            return ExitCodes.Failed;
        }
    }

    /// <summary>"paralleldiff 0.9.0 (commit 0123456789ab)": the version and the commit it was built from ("unknown" outside git).</summary>
    public static string VersionLine()
    {
        var informational = typeof(Program).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), inherit: false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>()
            .FirstOrDefault()?.InformationalVersion ?? "unknown";
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        var version = plus < 0 ? informational : informational[..plus];
        var commit = plus < 0 ? "unknown" : informational[(plus + 1)..];
        return $"paralleldiff {version} (commit {(commit.Length > 12 ? commit[..12] : commit)})";
    }

    private static int HandOff(IReadOnlyList<string> args, CancellationToken cancellationToken) =>
        throw EngineHandoff.Exec("runs image, export and node");

    private static string OneLine(Exception e) => e is FsException or SnapshotException
        ? e.Message
        : e.Message.ReplaceLineEndings(" ");
}
