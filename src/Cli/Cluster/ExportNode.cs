using Akka.Actor;
using Akka.Cluster;

namespace ParallelDiff.Cli.Cluster;

/// <summary>
/// A node's actor: when a coordinator comes up it asks it for work (<see cref="WorkRequest"/>),
/// runs each <see cref="JobOffer"/> as a task piped back to itself, and sends the outcome to the
/// coordinator that offered it, which counts it as a request for one more job. When a coordinator
/// leaves, what the node kept for its export (its registry session) is let go.
/// </summary>
public sealed class ExportNode : ReceiveActor
{
    public const string Name = "node";

    private readonly WorkRequest _request;
    private readonly Func<JobOffer, string, Task<JobOutcome>> _run;
    private readonly Func<string, Task> _forget;

    /// <param name="run">Runs a job offered by the coordinator at the address given (cancelled with the process, not with this actor).</param>
    /// <param name="forget">Lets go of what was kept for the jobs of the coordinator at the address given.</param>
    public ExportNode(WorkRequest request, Func<JobOffer, string, Task<JobOutcome>> run, Func<string, Task> forget)
    {
        _request = request;
        _run = run;
        _forget = forget;
        Receive<ClusterEvent.MemberUp>(HandleMemberUp);
        Receive<ClusterEvent.MemberRemoved>(HandleMemberRemoved);
        Receive<JobOffer>(HandleOffer);
        Receive<Finished>(HandleFinished);
        Receive<Status.Success>(_ => { });
        Receive<Status.Failure>(_ => { });
    }

    protected override void PreStart() =>
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberUp), typeof(ClusterEvent.MemberRemoved));

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    private void HandleMemberUp(ClusterEvent.MemberUp up)
    {
        if (up.Member.HasRole(ExportCoordinator.Role))
        {
            Context.ActorSelection(new RootActorPath(up.Member.Address) / "user" / ExportCoordinator.Name).Tell(_request, Self);
        }
    }

    private void HandleMemberRemoved(ClusterEvent.MemberRemoved removed)
    {
        if (removed.Member.HasRole(ExportCoordinator.Role))
        {
            // Piped back so that a failure to close is observed (and dropped, as a job's is below), not left unobserved.
            _forget(removed.Member.Address.ToString()).PipeTo(Self);
        }
    }

    private void HandleOffer(JobOffer offer)
    {
        var coordinator = Sender;
        _run(offer, coordinator.Path.Address.ToString()).PipeTo(Self, success: outcome => new Finished(outcome, coordinator));
    }

    private void HandleFinished(Finished finished) => finished.Coordinator.Tell(finished.Outcome, Self);

    /// <summary>A job's outcome and whom to send it to; local only, never serialized.</summary>
    private sealed record Finished(JobOutcome Outcome, IActorRef Coordinator);
}
