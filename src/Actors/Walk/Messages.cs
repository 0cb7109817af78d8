using Akka.Streams;
using ParallelDiff.Core.Diff;

namespace ParallelDiff.Actors.Walk;

/// <summary>Supervisor → worker: classify this shard.</summary>
internal sealed record ShardAssigned(int ShardId, ShardSpan Span);

/// <summary>Worker → itself (piped task), then → supervisor: the shard's items and the shards it asks for.</summary>
internal sealed record ShardClassified(int ShardId, ShardOutcome Outcome);

/// <summary>Worker → itself (piped task): the shard's task failed; the worker rethrows it to its supervisor.</summary>
internal sealed record ShardAborted(int ShardId, Exception Cause);

/// <summary>Supervisor → itself (piped offer): the layer stream answered an offer.</summary>
internal sealed record ShardOffered(ShardResult Shard, IQueueOfferResult Result);

/// <summary>Supervisor → itself (piped offer): the offer itself failed (the queue was closed or misused).</summary>
internal sealed record ShardOfferFailed(ShardResult Shard, Exception Cause);

/// <summary>Supervisor → itself: the walk is over (done or failed); stop, and with it every worker.</summary>
internal sealed record WalkEnded;

/// <summary>Supervisor → itself (from the export's cancellation token): abort the walk.</summary>
internal sealed record WalkCancelled;
