using System.Diagnostics;

namespace ParallelDiff.Cli.Tests;

/// <summary>Runs the real paralleldiff binary (built beside the tests) as a separate process.</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    /// <summary>
    /// Another user may not be able to reach the test binaries (a clone in a 0700 temp folder, as
    /// mktemp -d makes), so runs as another user use a copy of them in a folder everyone can read.
    /// </summary>
    private static readonly Lazy<string> WorldReadableCopy = new(() =>
    {
        var copy = Directory.CreateTempSubdirectory("pd-cli-bin-").FullName;
        foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(AppContext.BaseDirectory, file));
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
        var psi = StartInfo(args);
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
    public static Process Start(params string[] args) => Process.Start(StartInfo(args))!;

    private static ProcessStartInfo StartInfo(string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment.Remove("SOURCE_DATE_EPOCH");
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "paralleldiff.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        return psi;
    }

    /// <summary>Runs as another user (setpriv), for permission tests run as root.</summary>
    public static Result RunAs(int? uid, params string[] args)
    {
        var dll = Path.Combine(uid is null ? AppContext.BaseDirectory : WorldReadableCopy.Value, "paralleldiff.dll");
        var psi = new ProcessStartInfo(uid is null ? "dotnet" : "setpriv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (uid is { } id)
        {
            foreach (var a in new[] { $"--reuid={id}", $"--regid={id}", "--clear-groups", "dotnet" })
            {
                psi.ArgumentList.Add(a);
            }

            psi.Environment["HOME"] = Path.GetTempPath();
            psi.Environment["DOTNET_CLI_HOME"] = Path.GetTempPath();
        }

        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment.Remove("SOURCE_DATE_EPOCH");
        psi.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
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
