namespace ParallelDiff.Core.Export;

/// <summary>One line of an export journal: a snapshot's outcome, under the fingerprint of the job that produced it.</summary>
public sealed record JournalEntry(string Fingerprint, SnapshotReport Report);
