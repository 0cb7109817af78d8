namespace ParallelDiff.Core.Fs;

/// <summary>Random suffixes for temporary and staging file names, and the temporary name beside a target.</summary>
public static class TempNames
{
    /// <summary>
    /// 12 hex digits from the non-cryptographic shared generator. A name only has to be unlikely to
    /// collide (the file is created with O_EXCL and the process id is in the name where processes
    /// share a folder); RandomNumberGenerator would initialise OpenSSL's DRBG for it, ~15 ms of a
    /// one-file diff.
    /// </summary>
    public static string Suffix() => Random.Shared.NextInt64(1L << 48).ToString("x12", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// A hidden temporary path beside <paramref name="target"/>, ".NAME.tmp-SUFFIX": the same directory,
    /// so a rename gives it the target's name atomically, and the shape LayoutStaging sweeps as a leftover.
    /// </summary>
    public static string Beside(string target) =>
        Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.tmp-{Suffix()}");
}
