using System.Diagnostics;

namespace ParallelDiff.Cli.Tests;

/// <summary>
/// Runs the real paralleldiff as a separate process: the published native binary when
/// PARALLELDIFF_CLI names one (run.sh test does, so the tests check what ships), else the JIT build
/// beside the tests through `dotnet`.
/// </summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    /// <summary>The published binary under test, or null for the JIT build beside the tests.</summary>
    public static readonly string? PublishedBinary = PublishedBinaryFromEnvironment();

    /// <summary>Where the binary under test lives, with what it reads beside it (hocon/, the engine).</summary>
    private static string BinaryDirectory => PublishedBinary is null ? AppContext.BaseDirectory : Path.GetDirectoryName(PublishedBinary)!;

    /// <summary>
    /// Another user may not be able to reach the binaries (a clone in a 0700 temp folder, as
    /// mktemp -d makes), so runs as another user use a copy of them in a folder everyone can read.
    /// </summary>
    private static readonly Lazy<string> WorldReadableCopy = new(() =>
    {
        var from = BinaryDirectory;
        var copy = Directory.CreateTempSubdirectory("pd-cli-bin-").FullName;
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        const UnixFileMode readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        foreach (var entry in Directory.EnumerateFileSystemEntries(copy, "*", SearchOption.AllDirectories).Append(copy))
        {
            File.SetUnixFileMode(entry, readable);
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(copy, recursive: true);
        return copy;
    });

    public static Result Run(params string[] args) => RunAs(null, args);

    /// <summary>Runs with <paramref name="input"/> on standard input (for "--mount-json -").</summary>
    public static Result RunWithInput(string input, params string[] args)
    {
        var psi = StartInfo(null, args);
        psi.RedirectStandardInput = true;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardInput.Write(input);
        p.StandardInput.Close();
        p.WaitForExit();
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Starts the binary and returns at once, stdout and stderr redirected (a harness reads them, or kills it).</summary>
    public static Process Start(params string[] args) => Process.Start(StartInfo(null, args))!;

    /// <summary>The program and arguments that run the binary under test, for a wrapper that starts it (script, for a pseudo-terminal).</summary>
    public static IReadOnlyList<string> CommandLineOf(params string[] args)
    {
        var psi = StartInfo(null, args);
        return [psi.FileName, .. psi.ArgumentList];
    }

    /// <summary>Runs as another user (setpriv), for permission tests run as root.</summary>
    public static Result RunAs(int? uid, params string[] args)
    {
        using var p = Process.Start(StartInfo(uid, args))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    private static ProcessStartInfo StartInfo(int? uid, string[] args)
    {
        // The command line before the arguments: [setpriv ... --] [dotnet] paralleldiff[.dll]
        var directory = uid is null ? BinaryDirectory : WorldReadableCopy.Value;
        var program = new List<string>();
        if (uid is { } id)
        {
            program.AddRange(["setpriv", $"--reuid={id}", $"--regid={id}", "--clear-groups"]);
        }

        if (PublishedBinary is null)
        {
            program.AddRange(["dotnet", Path.Combine(directory, "paralleldiff.dll")]);
        }
        else
        {
            program.Add(Path.Combine(directory, Path.GetFileName(PublishedBinary)));
        }

        var psi = new ProcessStartInfo(program[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (uid is not null)
        {
            psi.Environment["HOME"] = Path.GetTempPath();
            psi.Environment["DOTNET_CLI_HOME"] = Path.GetTempPath();
        }

        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment.Remove("SOURCE_DATE_EPOCH");
        foreach (var a in program.Skip(1).Concat(args))
        {
            psi.ArgumentList.Add(a);
        }

        return psi;
    }

    private static string? PublishedBinaryFromEnvironment()
    {
        var path = Environment.GetEnvironmentVariable("PARALLELDIFF_CLI");
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        // Named but missing is a broken test run, not a reason to test something else.
        return File.Exists(path)
            ? Path.GetFullPath(path)
            : throw new FileNotFoundException($"PARALLELDIFF_CLI={path}: no such binary (build it with ./run.sh --help)", path);
    }

    /// <summary>Runs a tool with bytes on stdin, returning its stdout bytes (decoders as oracles).</summary>
    public static byte[] Pipe(string tool, byte[] input, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var output = new MemoryStream();
        var copy = p.StandardOutput.BaseStream.CopyToAsync(output);
        var err = p.StandardError.ReadToEndAsync();
        p.StandardInput.BaseStream.Write(input);
        p.StandardInput.Close();
        copy.Wait();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} exited {p.ExitCode}: {err.Result}");
        }

        return output.ToArray();
    }
}
