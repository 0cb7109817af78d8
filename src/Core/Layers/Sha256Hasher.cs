using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Digests;

namespace ParallelDiff.Core.Layers;

/// <summary>
/// An incremental SHA-256 that chooses its implementation by the size of the message. The
/// platform's hasher is OpenSSL, and the first use of OpenSSL in a process costs about 6 ms:
/// loading libssl and libcrypto, reading openssl.cnf, fetching the algorithm. A one-file layer
/// takes less than that to write, so a small message is held and hashed in managed code
/// (BouncyCastle) at the end; a message that grows past <see cref="ManagedLimit"/> goes to the
/// platform's hasher, which is several times faster per byte (SHA extensions).
/// Both give the same digest; only the cost differs.
/// </summary>
public sealed class Sha256Hasher : IDisposable
{
    /// <summary>
    /// The largest message hashed in managed code: about what the managed hasher does in the time
    /// OpenSSL takes to load (~200 MB/s against ~6 ms), so neither choice costs more than that.
    /// </summary>
    public const int ManagedLimit = 1 << 20;

    private byte[] _held = [];
    private int _heldLength;
    private IncrementalHash? _platform;
    private bool _disposed;

    /// <summary>Whether the message outgrew <see cref="ManagedLimit"/> and went to the platform's hasher.</summary>
    internal bool UsesPlatform => _platform is not null;

    /// <summary>Adds bytes to the message.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_platform is not null)
        {
            _platform.AppendData(data);
            return;
        }

        if (_heldLength + (long)data.Length > ManagedLimit)
        {
            _platform = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            _platform.AppendData(_held.AsSpan(0, _heldLength));
            _platform.AppendData(data);
            _held = [];
            _heldLength = 0;
            return;
        }

        if (_heldLength + data.Length > _held.Length)
        {
            Array.Resize(ref _held, Math.Min(ManagedLimit, Math.Max(_heldLength + data.Length, Math.Max(4096, _held.Length * 2))));
        }

        data.CopyTo(_held.AsSpan(_heldLength));
        _heldLength += data.Length;
    }

    /// <summary>The digest of the message so far; the message can still grow afterwards.</summary>
    public byte[] CurrentHash()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_platform is not null)
        {
            return _platform.GetCurrentHash();
        }

        var digest = new Sha256Digest();
        digest.BlockUpdate(_held.AsSpan(0, _heldLength));
        var hash = new byte[digest.GetDigestSize()];
        digest.DoFinal(hash);
        return hash;
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _platform?.Dispose();
            _held = [];
        }
    }
}
