using System.Security.Cryptography;

namespace ParallelDiff.Core;

/// <summary>
/// "sha256:" and the 64 lower-case hex digits of a hash, made as one string: written as the prefix
/// plus Convert.ToHexStringLower, each digest was two strings and, when hashed one-shot, a 32-byte
/// array as well; a warm export of 1,000 snapshots takes some ten digests a snapshot.
/// </summary>
public static class Sha256Text
{
    private const string Prefix = "sha256:";

    /// <summary>The digest text of a finished hash.</summary>
    /// <exception cref="ArgumentException">Not 32 bytes.</exception>
    public static string FromHash(ReadOnlySpan<byte> hash)
    {
        if (hash.Length != SHA256.HashSizeInBytes)
        {
            throw new ArgumentException($"a sha256 hash is {SHA256.HashSizeInBytes} bytes, not {hash.Length}", nameof(hash));
        }

        Span<char> text = stackalloc char[Prefix.Length + (2 * SHA256.HashSizeInBytes)];
        Prefix.CopyTo(text);
        Convert.TryToHexStringLower(hash, text[Prefix.Length..], out _);
        return new string(text);
    }

    /// <summary>The digest of some bytes, hashed on the stack.</summary>
    public static string Of(ReadOnlySpan<byte> content)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(content, hash);
        return FromHash(hash);
    }
}
