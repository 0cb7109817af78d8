using System.Net;
using System.Net.Http.Headers;
using ParallelDiff.Core.Oci;

namespace ParallelDiff.Registry;

/// <summary>
/// What a tag names at the registry (distribution spec, "Checking if content exists": HEAD
/// /v2/NAME/manifests/TAG answers the manifest's digest in Docker-Content-Digest). A registry
/// accepts a manifest only when it holds every blob it names, so a tag found naming the manifest
/// an earlier run pushed says that whole image is there.
/// </summary>
public static class TaggedManifest
{
    /// <summary>The digest the tag names, or null when the repository has no such tag.</summary>
    /// <exception cref="RegistryException">The registry refused the request, or answered without the digest.</exception>
    public static async Task<string?> DigestAsync(RegistryClient client, string tag, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var uri = client.Resolve($"v2/{client.Reference.Repository}/manifests/{tag}");
        using var response = await client.SendAsync(
            (_, _) =>
            {
                var request = new HttpRequestMessage(HttpMethod.Head, uri);
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(OciMediaTypes.ImageManifest));
                return Task.FromResult(request);
            },
            "HEAD manifest",
            cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw await RegistryException.FromResponseAsync($"{client.Reference.Registry}/{client.Reference.Repository}: HEAD manifest {tag}", response, cancellationToken).ConfigureAwait(false);
        }

        return response.Headers.TryGetValues("Docker-Content-Digest", out var said) && said.FirstOrDefault() is { } digest
            ? digest
            : throw new RegistryException($"{client.Reference.Registry}/{client.Reference.Repository}: HEAD manifest {tag} answered without Docker-Content-Digest");
    }
}
