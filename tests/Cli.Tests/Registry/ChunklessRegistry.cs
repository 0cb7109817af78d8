using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;

namespace ParallelDiff.Cli.Tests.Registry;

/// <summary>
/// A registry that takes uploads only whole: POST starts one, PATCH is refused with 405 (as some
/// proxies and registries do), PUT ?digest= with the body completes it after checking the digest.
/// Enough of the distribution API for a push (ping, HEAD, manifests); it keeps what it received.
/// </summary>
public sealed class ChunklessRegistry : LoopbackHttpService
{
    private int _patches;

    public ChunklessRegistry() => Start();

    /// <summary>Blobs by digest, and manifests by digest and by tag.</summary>
    public ConcurrentDictionary<string, byte[]> Blobs { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, byte[]> Manifests { get; } = new(StringComparer.Ordinal);

    public int PatchesRefused => Volatile.Read(ref _patches);

    protected override async Task AnswerAsync(HttpListenerContext context)
    {
        var response = context.Response;
        var request = context.Request;
        var path = request.Url!.AbsolutePath;
        using var body = new MemoryStream();
        await request.InputStream.CopyToAsync(body);
        var bytes = body.ToArray();
        var last = path[(path.LastIndexOf('/') + 1)..];
        switch (request.HttpMethod)
        {
            case "GET" when path == "/v2/":
                response.StatusCode = 200;
                break;
            case "HEAD" when path.Contains("/blobs/", StringComparison.Ordinal):
                response.StatusCode = Blobs.ContainsKey(last) ? 200 : 404;
                break;
            case "POST" when path.EndsWith("/blobs/uploads/", StringComparison.Ordinal):
                response.StatusCode = 202;
                response.Headers["Location"] = path + Guid.NewGuid().ToString("N");
                break;
            case "PATCH":
                Interlocked.Increment(ref _patches);
                response.StatusCode = 405;
                break;
            case "PUT" when path.Contains("/blobs/uploads/", StringComparison.Ordinal):
                var digest = request.QueryString["digest"] ?? string.Empty;
                if (digest != "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)))
                {
                    response.StatusCode = 400;
                    break;
                }

                Blobs[digest] = bytes;
                response.StatusCode = 201;
                response.Headers["Docker-Content-Digest"] = digest;
                break;
            case "PUT" when path.Contains("/manifests/", StringComparison.Ordinal):
                var manifestDigest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
                Manifests[last] = bytes;
                response.StatusCode = 201;
                response.Headers["Docker-Content-Digest"] = manifestDigest;
                break;
            default:
                response.StatusCode = 404;
                break;
        }
    }
}
