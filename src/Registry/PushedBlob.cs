namespace ParallelDiff.Registry;

/// <summary>How a blob came to be at the registry, for --report: sent now, found there (HEAD), or mounted from another repository.</summary>
public enum BlobArrival
{
    Uploaded,
    Present,
    Mounted,
}

/// <summary>One blob of a pushed image and how it got there.</summary>
public sealed record PushedBlob(string Digest, long Size, BlobArrival Arrival);
