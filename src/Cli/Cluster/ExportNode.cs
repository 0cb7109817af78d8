using Akka.Actor;
using Akka.Cluster;

namespace ParallelDiff.Cli.Cluster;

/// <summary>
/// A node's actor: when a coordinator comes up it asks it for work (<see cref="WorkRequest"/>),
/// runs each <see cref="JobOffer"/> as a task piped back to itself, and sends the outcome to the
/// coordinator that offered it, which counts it as a request for one more job.
/// </summary>
public sealed class ExportNode : ReceiveActor
{
    public const string Name = "node";

    private readonly WorkRequest _request;
    private readonly Func<JobOffer, Task<JobOutcome>> _run;

    /// <param name="run">Runs a job (cancelled with the process, not with this actor).</param>
    public ExportNode(WorkRequest request, Func<JobOffer, Task<JobOutcome>> run)
    {
        _request = request;
        _run = run;
        Receive<ClusterEvent.MemberUp>(HandleMemberUp);
        Receive<JobOffer>(HandleOffer);
        Receive<Finished>(HandleFinished);
        Receive<Status.Failure>(_ => { });
    }

    protected override void PreStart() =>
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberUp));

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    private void HandleMemberUp(ClusterEvent.MemberUp up)
    {
        if (up.Member.HasRole(ExportCoordinator.Role))
        {
            Context.ActorSelection(new RootActorPath(up.Member.Address) / "user" / ExportCoordinator.Name).Tell(_request, Self);
        }
    }

    private void HandleOffer(JobOffer offer)
    {
        var coordinator = Sender;
        _run(offer).PipeTo(Self, success: outcome => new Finished(outcome, coordinator));
    }

    private void HandleFinished(Finished finished) => finished.Coordinator.Tell(finished.Outcome, Self);

    /// <summary>A job's outcome and whom to send it to; local only, never serialized.</summary>
    private sealed record Finished(JobOutcome Outcome, IActorRef Coordinator);
}
