namespace ParallelDiff.Core.Fs;

/// <summary>Random suffixes for temporary and staging file names.</summary>
public static class TempNames
{
    /// <summary>
    /// 12 hex digits from the non-cryptographic shared generator. A name only has to be unlikely to
    /// collide (the file is created with O_EXCL and the process id is in the name where processes
    /// share a folder); RandomNumberGenerator would initialise OpenSSL's DRBG for it, ~15 ms of a
    /// one-file diff.
    /// </summary>
    public static string Suffix() => Random.Shared.NextInt64(1L << 48).ToString("x12", System.Globalization.CultureInfo.InvariantCulture);
}
