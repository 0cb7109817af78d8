using Akka.Actor;
using Akka.Cluster;
using ParallelDiff.Core.Export;

namespace ParallelDiff.Cli.Cluster;

/// <summary>
/// The coordinator's actor: hands jobs to the nodes that ask for work and can read them, at most
/// a node's slots at once; records each outcome once (a job done twice, after a node was thought
/// dead, is the same image: the second outcome is dropped); gives a removed node's unfinished
/// jobs to others; fails a job no node can take once the membership has been still for the
/// unassigned timeout. Completes its Done task when every job has an outcome.
/// </summary>
/// <remarks>
/// An <see cref="UntypedActor"/> with a switch, not a ReceiveActor: under NativeAOT a ReceiveActor
/// matches each message through an interpreted expression tree and a reflection call, which
/// perf found in 13 % of the coordinator's CPU on 1,000 small jobs (issue 14's 1-node overhead).
/// </remarks>
public sealed class ExportCoordinator : UntypedActor, IWithTimers
{
    public const string Name = "coordinator";
    public const string Role = "coordinator";

    private readonly IReadOnlyList<ClusterJob> _jobs;
    private readonly IReadOnlyList<string> _arguments;
    private readonly string _baseDirectory;
    private readonly ICoordinatorSink _sink;
    private readonly TimeSpan _unassignedTimeout;
    private readonly Dictionary<string, int> _index;
    /// <summary>The jobs without an outcome, in file order, running or not.</summary>
    private readonly List<int> _pending;
    private readonly Dictionary<int, Address> _running = [];
    private readonly Dictionary<Address, (IActorRef Ref, WorkRequest Request)> _nodes = [];
    private readonly bool[] _finished;
    private DateTime _stillSince = DateTime.UtcNow;

    /// <summary>Whether this coordinator is up: joining may wait for the downing of a dead member (a killed coordinator), and no node can ask for work before.</summary>
    private bool _up;

    /// <param name="pending">Indexes of the jobs to run (the others were resumed from the journal).</param>
    public ExportCoordinator(IReadOnlyList<ClusterJob> jobs, IReadOnlyList<int> pending, IReadOnlyList<string> arguments, string baseDirectory, ICoordinatorSink sink, TimeSpan unassignedTimeout)
    {
        _jobs = jobs;
        _arguments = arguments;
        _baseDirectory = baseDirectory;
        _sink = sink;
        _unassignedTimeout = unassignedTimeout;
        _index = jobs.Select((job, i) => (job.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);
        _pending = [.. pending];
        _finished = new bool[jobs.Count];
        Array.Fill(_finished, true);
        foreach (var i in pending)
        {
            _finished[i] = false;
        }

    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case WorkRequest request:
                HandleWorkRequest(request);
                break;
            case JobOutcome outcome:
                HandleOutcome(outcome);
                break;
            case ClusterEvent.MemberRemoved removed:
                HandleRemoved(removed);
                break;
            case ClusterEvent.MemberUp up:
                HandleUp(up);
                break;
            case Tick:
                FailUnassignable();
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    protected override void PreStart()
    {
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberRemoved), typeof(ClusterEvent.MemberUp));
        Timers.StartPeriodicTimer("unassigned", Tick.Instance, TimeSpan.FromMilliseconds(500));
        CheckDone();
    }

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    private void HandleUp(ClusterEvent.MemberUp up)
    {
        _stillSince = DateTime.UtcNow;
        _up |= up.Member.Address == Akka.Cluster.Cluster.Get(Context.System).SelfAddress;
    }

    private void HandleWorkRequest(WorkRequest request)
    {
        if (!_nodes.ContainsKey(Sender.Path.Address))
        {
            _stillSince = DateTime.UtcNow;
            _sink.Joined(request.Node, ClusterMember.Describe(Sender.Path.Address), request.Slots);
        }

        _nodes[Sender.Path.Address] = (Sender, request);
        Dispatch();
    }

    private void HandleOutcome(JobOutcome outcome)
    {
        if (!_index.TryGetValue(outcome.JobId, out var i) || _finished[i])
        {
            return;
        }

        var where = $"the outcome of job \"{outcome.JobId}\" from node {outcome.Node}";
        SnapshotReport report;
        using (var document = System.Text.Json.JsonDocument.Parse(outcome.Report))
        {
            report = SnapshotReport.FromJson(document.RootElement, where) with { Node = outcome.Node };
        }

        _finished[i] = true;
        _running.Remove(i);
        _pending.Remove(i);
        _sink.Finished(_jobs[i], report);
        Dispatch();
        CheckDone();
    }

    private void HandleRemoved(ClusterEvent.MemberRemoved removed)
    {
        _stillSince = DateTime.UtcNow;
        if (!_nodes.Remove(removed.Member.Address, out var node))
        {
            return;
        }

        // Its unfinished jobs are still pending (a job leaves _pending only with its outcome): no longer running, they go to the next node that can take them.
        foreach (var i in _running.Where(r => r.Value == removed.Member.Address).Select(r => r.Key).Order().ToList())
        {
            _running.Remove(i);
            _sink.Warning(_jobs[i].Id, $"node {node.Request.Node} left the cluster ({removed.PreviousStatus}) while exporting it; handing it to another node");
        }

        _sink.Left(node.Request.Node);
        Dispatch();
    }

    /// <summary>Offers each waiting job, in file order, to the node with the most free slots that can take it.</summary>
    private void Dispatch()
    {
        var busy = _running.Values.GroupBy(a => a).ToDictionary(g => g.Key, g => g.Count());
        var free = _nodes.Sum(n => Math.Max(0, n.Value.Request.Slots - busy.GetValueOrDefault(n.Key)));
        foreach (var i in _pending.ToList())
        {
            // Every outcome dispatches: without this stop, each would look at every waiting job
            // (a thousand jobs on a full node: a million looks, the coordinator's main cost).
            if (free == 0)
            {
                break;
            }

            if (_running.ContainsKey(i))
            {
                continue;
            }

            var job = _jobs[i];
            var candidates = _nodes
                .Select(n => (Address: n.Key, n.Value.Ref, n.Value.Request, Free: n.Value.Request.Slots - busy.GetValueOrDefault(n.Key)))
                .Where(n => n.Free > 0 && job.CanRunOn(n.Request))
                .OrderByDescending(n => n.Free)
                .ThenBy(n => n.Request.Node, StringComparer.Ordinal)
                .ToList();
            if (candidates.Count == 0)
            {
                continue;
            }

            var chosen = candidates[0];
            _running[i] = chosen.Address;
            busy[chosen.Address] = busy.GetValueOrDefault(chosen.Address) + 1;
            free--;
            _sink.Started(job.Id, chosen.Request.Node);
            chosen.Ref.Tell(new JobOffer(job.Id, job.Json, _baseDirectory, _arguments), Self);
        }
    }

    /// <summary>A waiting job that no member can take fails once the membership has been still long enough.</summary>
    private void FailUnassignable()
    {
        if (!_up || DateTime.UtcNow - _stillSince < _unassignedTimeout)
        {
            return;
        }

        foreach (var i in _pending.Where(i => !_running.ContainsKey(i) && !_nodes.Values.Any(n => _jobs[i].CanRunOn(n.Request))).ToList())
        {
            var job = _jobs[i];
            var why = job.Planned.Job.Node is { } name
                ? $"node \"{name}\" is not in the cluster (no node of that name asked for work within {_unassignedTimeout.TotalSeconds:0} s)"
                : $"no node of the cluster can read it (none has --roots holding {string.Join(", ", job.Planned.Job.Source.Paths())})";
            _finished[i] = true;
            _pending.Remove(i);
            _sink.Finished(job, SnapshotReport.Failed(job.Id, job.Planned.Job.Source.Describe(), 0, new IOException(why)));
        }

        CheckDone();
    }

    private void CheckDone()
    {
        if (_finished.All(f => f))
        {
            _sink.Done();
            Timers.CancelAll();
        }
    }

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
    }
}
