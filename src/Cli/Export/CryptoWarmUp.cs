using System.Security.Cryptography;

namespace ParallelDiff.Cli.Export;

/// <summary>
/// Loads the system's crypto library on a pool thread while the export reads its settings and job
/// file. The first SHA-256 of a process loads and relocates libssl and libcrypto and reads
/// openssl.cnf: ~10 ms that a bulk export otherwise spent on its one busy thread, in the middle of
/// planning its jobs (their fingerprints are the first digests it takes).
/// </summary>
internal static class CryptoWarmUp
{
    public static void Start() =>
        ThreadPool.UnsafeQueueUserWorkItem(
            static _ =>
            {
                try
                {
                    SHA256.HashData(ReadOnlySpan<byte>.Empty);
                }
                catch (Exception e) when (e is CryptographicException or DllNotFoundException or EntryPointNotFoundException or TypeInitializationException)
                {
                    // A library that cannot load fails the digests that need it, each with its own message.
                }
            },
            (object?)null);
}
