using System.Diagnostics;

namespace ParallelDiff.Cli.Tests;

/// <summary>
/// A containerd of the test's own: its root, state, socket and plugin directory in a scratch
/// directory, the CRI plugin off, nothing shared with a system containerd. Dispose stops it (the
/// process this started, by its id), undoes any mount left under its directory and removes it.
/// </summary>
public sealed class ContainerdDaemon : IDisposable
{
    public const string Namespace = "paralleldiff-test";

    private readonly Process _process;
    private bool _disposed;

    private ContainerdDaemon(string directory, Process process)
    {
        Home = directory;
        _process = process;
    }

    public string Home { get; }

    public string Socket => Path.Combine(Home, "containerd.sock");

    public static ContainerdDaemon Start()
    {
        var dir = System.IO.Directory.CreateTempSubdirectory("pd-containerd-").FullName;
        var config = Path.Combine(dir, "config.toml");
        File.WriteAllText(config, $"""
            version = 2
            root = "{dir}/root"
            state = "{dir}/state"
            disabled_plugins = ["io.containerd.grpc.v1.cri"]
            [grpc]
              address = "{dir}/containerd.sock"
            [ttrpc]
              address = "{dir}/containerd.sock.ttrpc"
            [plugins."io.containerd.internal.v1.opt"]
              path = "{dir}/opt"
            """);
        var psi = new ProcessStartInfo("containerd") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("--config");
        psi.ArgumentList.Add(config);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start containerd");
        var log = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var daemon = new ContainerdDaemon(dir, process);
        var clock = Stopwatch.StartNew();
        while (!File.Exists(daemon.Socket) || !daemon.Ctr("version").Succeeded)
        {
            if (process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                daemon.Dispose();
                lock (log)
                {
                    throw new InvalidOperationException($"containerd did not come up: {log}");
                }
            }

            Thread.Sleep(100);
        }

        return daemon;
    }

    /// <summary>ctr against this daemon, in the test's namespace.</summary>
    public SystemTool.Result Ctr(params string[] args) => SystemTool.Run("ctr", ["-a", Socket, "-n", Namespace, .. args]);

    public string CheckCtr(params string[] args) => SystemTool.Check("ctr", ["-a", Socket, "-n", Namespace, .. args]);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();

        // A failed test may leave an image mounted inside the daemon's directory: lazily detach, deepest first.
        var mounts = File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4])
            .Where(m => m.StartsWith(Home + "/", StringComparison.Ordinal)).OrderByDescending(m => m.Length);
        foreach (var mount in mounts)
        {
            SystemTool.Run("umount", "-l", mount);
        }

        System.IO.Directory.Delete(Home, recursive: true);
    }
}
