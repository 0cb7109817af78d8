using System.Net;
using System.Net.Http.Headers;
using ParallelDiff.Core.Oci;

namespace ParallelDiff.Registry;

/// <summary>
/// Puts an image in a repository in the order the distribution spec asks: every blob the manifest
/// names first (skipped when HEAD finds it, mounted when another repository of the same registry is
/// known to hold it, else uploaded whole), then the manifest by its digest, and only then the tag.
/// </summary>
public static class ImagePush
{
    /// <param name="blobs">The config and every layer; a layer streamed while it was written has no Open and must be there already.</param>
    /// <param name="manifest">The manifest's exact bytes: its digest is the image's.</param>
    /// <param name="tag">The tag to give it in the client's repository (one client serves every tag of a repository).</param>
    /// <returns>How each blob got there, and the manifest's descriptor.</returns>
    /// <exception cref="RegistryException">A blob is missing and cannot be sent, or the registry refused a step.</exception>
    public static async Task<(IReadOnlyList<PushedBlob> Blobs, OciDescriptor Manifest)> PushAsync(
        RegistryClient client, RegistrySession session, IReadOnlyList<PushBlob> blobs, byte[] manifest, string tag, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(manifest);
        var pushed = await Task.WhenAll(blobs.Select(b => EnsureAsync(client, session, b, cancellationToken))).ConfigureAwait(false);
        var descriptor = new OciDescriptor(OciMediaTypes.ImageManifest, OciDigest.Of(manifest), manifest.Length);

        // By digest first: the tag then names a manifest already complete at the registry.
        await PutManifestAsync(client, descriptor, manifest, descriptor.Digest, cancellationToken).ConfigureAwait(false);
        await PutManifestAsync(client, descriptor, manifest, tag, cancellationToken).ConfigureAwait(false);
        return (pushed, descriptor);
    }

    /// <summary>HEAD /v2/NAME/blobs/DIGEST: whether the repository holds the blob.</summary>
    public static async Task<bool> ExistsAsync(RegistryClient client, string digest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var uri = client.Resolve($"v2/{client.Reference.Repository}/blobs/{digest}");
        using var response = await client.SendAsync(HttpMethod.Head, uri, null, "HEAD blob", cancellationToken).ConfigureAwait(false);
        return response.StatusCode switch
        {
            HttpStatusCode.OK => true,
            HttpStatusCode.NotFound => false,

            // A redirect to storage still says the blob is there.
            >= HttpStatusCode.MovedPermanently and < HttpStatusCode.BadRequest => true,
            _ => throw await RegistryException.FromResponseAsync($"{client.Reference}: HEAD {digest}", response, cancellationToken).ConfigureAwait(false),
        };
    }

    private static async Task<PushedBlob> EnsureAsync(RegistryClient client, RegistrySession session, PushBlob blob, CancellationToken cancellationToken)
    {
        if (blob.Open is null)
        {
            // Streamed while it was written: the upload's PUT ?digest= (201, digest checked) already said it is there.
            session.Holds(client.Reference, blob.Digest);
            return new PushedBlob(blob.Digest, blob.Size, BlobArrival.Uploaded);
        }

        if (await ExistsAsync(client, blob.Digest, cancellationToken).ConfigureAwait(false))
        {
            session.Holds(client.Reference, blob.Digest);
            return new PushedBlob(blob.Digest, blob.Size, BlobArrival.Present);
        }

        if (session.HolderOf(client.Reference, blob.Digest) is { } from && await MountAsync(client, blob.Digest, from, cancellationToken).ConfigureAwait(false))
        {
            session.Holds(client.Reference, blob.Digest);
            return new PushedBlob(blob.Digest, blob.Size, BlobArrival.Mounted);
        }

        await UploadWholeAsync(client, blob, cancellationToken).ConfigureAwait(false);
        session.Holds(client.Reference, blob.Digest);
        return new PushedBlob(blob.Digest, blob.Size, BlobArrival.Uploaded);
    }

    /// <summary>POST ?mount=DIGEST&amp;from=REPO: 201 when mounted; 202 (an upload started instead) is dropped and counts as no.</summary>
    private static async Task<bool> MountAsync(RegistryClient client, string digest, string from, CancellationToken cancellationToken)
    {
        client.AllowPullFrom(from);
        var uri = client.Resolve($"v2/{client.Reference.Repository}/blobs/uploads/?mount={Uri.EscapeDataString(digest)}&from={Uri.EscapeDataString(from)}");
        using var response = await client.SendAsync(HttpMethod.Post, uri, () => new ByteArrayContent([]), "POST blob mount", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.Created)
        {
            return true;
        }

        if (response.StatusCode == HttpStatusCode.Accepted && response.Headers.Location is { } location)
        {
            using var dropped = await client.SendAsync(HttpMethod.Delete, client.Resolve(location.OriginalString), null, "DELETE blob upload", cancellationToken).ConfigureAwait(false);
        }

        return false;
    }

    /// <summary>A small or stored blob in one go: POST, then PUT ?digest= with the whole body.</summary>
    private static async Task UploadWholeAsync(RegistryClient client, PushBlob blob, CancellationToken cancellationToken)
    {
        var start = client.Resolve($"v2/{client.Reference.Repository}/blobs/uploads/");
        using var started = await client.SendAsync(HttpMethod.Post, start, () => new ByteArrayContent([]), "POST blob upload", cancellationToken).ConfigureAwait(false);
        if (started.StatusCode != HttpStatusCode.Accepted || started.Headers.Location is not { } location)
        {
            throw await RegistryException.FromResponseAsync($"{client.Reference}: starting the upload of {blob.Digest}", started, cancellationToken).ConfigureAwait(false);
        }

        var target = client.Resolve(location.OriginalString);
        var put = new Uri(target.OriginalString + (target.OriginalString.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "digest=" + Uri.EscapeDataString(blob.Digest));
        await client.Uploads.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var response = await client.SendAsync(
                HttpMethod.Put,
                put,
                () =>
                {
                    var content = new StreamContent(blob.Open!());
                    content.Headers.ContentLength = blob.Size;
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                    return content;
                },
                "PUT blob",
                cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.Created)
            {
                throw await RegistryException.FromResponseAsync($"{client.Reference}: uploading {blob.Digest}", response, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            client.Uploads.Release();
        }
    }

    private static async Task PutManifestAsync(RegistryClient client, OciDescriptor descriptor, byte[] manifest, string reference, CancellationToken cancellationToken)
    {
        var uri = client.Resolve($"v2/{client.Reference.Repository}/manifests/{reference}");
        using var response = await client.SendAsync(
            HttpMethod.Put,
            uri,
            () =>
            {
                var content = new ByteArrayContent(manifest);
                content.Headers.ContentType = new MediaTypeHeaderValue(OciMediaTypes.ImageManifest);
                return content;
            },
            "PUT manifest",
            cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw await RegistryException.FromResponseAsync($"{client.Reference}: PUT manifest {reference}", response, cancellationToken).ConfigureAwait(false);
        }

        if (response.Headers.TryGetValues("Docker-Content-Digest", out var said) && said.FirstOrDefault() is { } named && named != descriptor.Digest)
        {
            throw new RegistryException($"{client.Reference}: the registry stored the manifest as {named}, not {descriptor.Digest}");
        }
    }
}
