using Akka.Actor;
using Akka.Cluster;

namespace ParallelDiff.Cli.Cluster;

/// <summary>
/// A node's actor: when a coordinator comes up it asks it for work (<see cref="WorkRequest"/>),
/// runs each <see cref="JobOffer"/> as a task piped back to itself, and sends the outcome to the
/// coordinator that offered it, which counts it as a request for one more job. When a coordinator
/// leaves, what the node kept for its export (its registry session) is let go.
/// </summary>
/// <remarks>An <see cref="UntypedActor"/> with a switch for the reason <see cref="ExportCoordinator"/> is one (NativeAOT interprets a ReceiveActor's matching).</remarks>
public sealed class ExportNode : UntypedActor
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
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case ClusterEvent.MemberUp up:
                HandleMemberUp(up);
                break;
            case ClusterEvent.MemberRemoved removed:
                HandleMemberRemoved(removed);
                break;
            case JobOffer offer:
                HandleOffer(offer);
                break;
            case Finished finished:
                HandleFinished(finished);
                break;
            case Status.Success or Status.Failure:
                // A job's failure is its outcome (NodeJobs never throws but on cancellation); a forget's is of no consequence.
                break;
            default:
                Unhandled(message);
                break;
        }
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
