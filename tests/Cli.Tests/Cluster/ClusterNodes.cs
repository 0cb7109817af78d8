using System.Collections.Concurrent;
using System.Diagnostics;
using ParallelDiff.Cli.Tests.Registry;

namespace ParallelDiff.Cli.Tests.Cluster;

/// <summary>Real `paralleldiff node` processes on 127.0.0.1: the first is the seed; each is started and waited for until it is up.</summary>
public sealed class ClusterNodes : IDisposable
{
    private readonly List<(string Name, Process Process, ConcurrentQueue<string> Said)> _nodes = [];

    public ClusterNodes()
    {
        SeedPort = LocalRegistry.FreePort();
    }

    public int SeedPort { get; }

    public string Seed => $"127.0.0.1:{SeedPort}";

    /// <summary>Starts a node (the first binds the seed's port) and waits for its "up" line.</summary>
    public void Start(string name, params string[] extra)
    {
        var bind = _nodes.Count == 0 ? Seed : "127.0.0.1:0";
        var process = CliRunner.Start(["node", "--cluster", Seed, "--bind", bind, "--name", name, .. extra]);
        var said = new ConcurrentQueue<string>();
        var up = new TaskCompletionSource();
        _ = process.StandardOutput.ReadToEndAsync();
        _ = Task.Run(() =>
        {
            while (process.StandardError.ReadLine() is { } line)
            {
                said.Enqueue(line);
                if (line.StartsWith($"node {name}: up at", StringComparison.Ordinal))
                {
                    up.TrySetResult();
                }
            }

            up.TrySetException(new InvalidOperationException($"node {name} ended before it was up: {string.Join('\n', said)}"));
        });
        _nodes.Add((name, process, said));
        if (!up.Task.Wait(TimeSpan.FromSeconds(60)))
        {
            throw new TimeoutException($"node {name} not up within 60 s: {string.Join('\n', said)}");
        }
    }

    /// <summary>kill -9, as a machine that is gone.</summary>
    public void Kill(string name)
    {
        var node = _nodes.Single(n => n.Name == name).Process;
        node.Kill();
        node.WaitForExit();
    }

    /// <summary>What every node printed, for a failed assertion's message.</summary>
    public string Said() => string.Join('\n', _nodes.SelectMany(n => n.Said.Select(line => $"[{n.Name}] {line}")));

    public void Dispose()
    {
        foreach (var (_, process, _) in _nodes)
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit();
            }

            process.Dispose();
        }
    }
}
