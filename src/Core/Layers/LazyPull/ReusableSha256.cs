using System.Security.Cryptography;

namespace ParallelDiff.Core.Layers.LazyPull;

/// <summary>
/// One SHA-256 per file (or chunk) of a lazy-pull layer, restarted for each. A layer whose data is
/// still small hashes in managed code, as <see cref="Sha256Hasher"/> does, so that a one-file
/// layer does not pay OpenSSL's loading; once the caller says the layer is big, one platform
/// hasher serves every file after: the managed one runs at about a fifth of its speed, and a new
/// hasher per file of a 100,000-file layer costs allocations besides (measured on many-small:
/// SHA-256 in managed code was a third of zstd:chunked's CPU).
/// </summary>
internal sealed class ReusableSha256 : IDisposable
{
    private IncrementalHash? _platform;
    private Sha256Hasher? _managed;
    private bool _usePlatform;

    /// <summary>Starts a new message.</summary>
    /// <param name="platform">Whether to hash it with the platform's hasher (the layer is big).</param>
    public void Start(bool platform)
    {
        _managed?.Dispose();
        _managed = null;
        _usePlatform = platform;
        if (platform)
        {
            _platform ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        }
        else
        {
            _managed = new Sha256Hasher();
        }
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        if (_usePlatform)
        {
            _platform!.AppendData(data);
        }
        else
        {
            _managed!.Append(data);
        }
    }

    /// <summary>"sha256:…" of the message; the next one needs <see cref="Start"/>.</summary>
    public string Finish()
    {
        var hash = _usePlatform ? _platform!.GetHashAndReset() : _managed!.CurrentHash();
        return Sha256Text.FromHash(hash);
    }

    public void Dispose()
    {
        _platform?.Dispose();
        _managed?.Dispose();
    }
}
