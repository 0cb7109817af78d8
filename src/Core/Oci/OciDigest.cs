using System.Buffers;
using System.Security.Cryptography;

namespace ParallelDiff.Core.Oci;

/// <summary>
/// sha256 digests in the form image-spec descriptor.md fixes for that algorithm:
/// "sha256:" and exactly 64 lower-case hex digits. A layout stores the blob as blobs/sha256/HEX.
/// </summary>
public static class OciDigest
{
    private const string Prefix = "sha256:";
    private static readonly SearchValues<char> LowerHex = SearchValues.Create("0123456789abcdef");

    /// <summary>The digest of some bytes.</summary>
    public static string Of(ReadOnlySpan<byte> content) => Sha256Text.Of(content);

    /// <summary>The hex part of a sha256 digest, after checking its form.</summary>
    /// <exception cref="ArgumentException">Another algorithm, upper-case hex, or the wrong length.</exception>
    public static string Hex(string digest) => HexSpan(digest).ToString();

    /// <summary><see cref="Hex"/> without a new string: the digest's own characters after "sha256:".</summary>
    /// <exception cref="ArgumentException">Not "sha256:" and 64 lower-case hex digits.</exception>
    public static ReadOnlySpan<char> HexSpan(string digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        if (!digest.StartsWith(Prefix, StringComparison.Ordinal)
            || digest.Length != Prefix.Length + 64
            || digest.AsSpan(Prefix.Length).IndexOfAnyExcept(LowerHex) >= 0)
        {
            throw new ArgumentException($"\"{digest}\" is not a sha256 digest (sha256: and 64 lower-case hex digits)", nameof(digest));
        }

        return digest.AsSpan(Prefix.Length);
    }
}
