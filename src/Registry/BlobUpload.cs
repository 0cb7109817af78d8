using System.Buffers;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using ParallelDiff.Core;
using ParallelDiff.Core.Layers;

namespace ParallelDiff.Registry;

/// <summary>
/// A layer blob uploaded while it is written (<see cref="IBlobTarget"/>): the bytes gather into a
/// chunk, and a full chunk goes out as one PATCH while the next fills, so a push costs about what
/// writing a file costs: no temporary copy, no second read, no second hash (the exporter's digest
/// closes the upload in <see cref="FinishAsync"/>). A PATCH that fails in a way that may pass is
/// sent again from the offset the registry says it holds (GET on the upload's Location). A registry
/// that refuses chunks (its first PATCH answered 405, 415 or 501) gets the blob spooled to a
/// temporary file and sent in one PUT.
/// </summary>
public sealed class BlobUpload : IBlobTarget
{
    private static readonly HttpStatusCode[] ChunksRefused = [HttpStatusCode.MethodNotAllowed, HttpStatusCode.UnsupportedMediaType, HttpStatusCode.NotImplemented];

    private readonly RegistryClient _client;
    private readonly CancellationToken _cancellationToken;
    private readonly Action<long>? _pushed;
    private readonly UploadStream _stream;
    private byte[] _filling;
    private byte[] _spare;
    private int _filled;
    private long _offset;
    private Task? _inFlight;
    private Uri? _location;
    private FileStream? _spool;
    private bool _committed;
    private bool _finished;
    private bool _disposed;

    /// <param name="pushed">Told the bytes each chunk the registry took, for a progress view.</param>
    public BlobUpload(RegistryClient client, Action<long>? pushed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _pushed = pushed;
        _cancellationToken = cancellationToken;
        _filling = ArrayPool<byte>.Shared.Rent(client.Options.ChunkSize);
        _spare = ArrayPool<byte>.Shared.Rent(client.Options.ChunkSize);
        _stream = new UploadStream(this);
    }

    public string Name => _client.Reference.ToString();

    public Stream Stream => _stream;

    /// <summary>Bytes the registry holds for this upload so far.</summary>
    public long Pushed => Interlocked.Read(ref _offset);

    /// <summary>Sends what is left and waits for every chunk: the bytes are at the registry, not yet named.</summary>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_filled > 0 || _location is null)
        {
            Dispatch();
        }

        _inFlight?.GetAwaiter().GetResult();
        _spool?.Flush();
        _committed = true;
    }

    /// <summary>Closes the upload under <paramref name="digest"/> (PUT ?digest=), which the registry checks against what it received.</summary>
    /// <exception cref="RegistryException">The registry refused it, or gave back another digest.</exception>
    public async Task FinishAsync(string digest, long size, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(digest);
        if (!_committed)
        {
            throw new InvalidOperationException("the upload is finished only after the blob is committed");
        }

        var uri = WithQuery(_location!, "digest=" + Uri.EscapeDataString(digest));
        var spool = _spool;
        using var response = await _client.SendAsync(
            (_, _) =>
            {
                var request = new HttpRequestMessage(HttpMethod.Put, uri);
                if (spool is null)
                {
                    request.Content = new ByteArrayContent([]);
                }
                else
                {
                    spool.Position = 0;
                    request.Content = new StreamContent(new NonClosingStream(spool));
                    request.Content.Headers.ContentLength = spool.Length;
                }

                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                return Task.FromResult(request);
            },
            "PUT blob upload",
            cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw await RegistryException.FromResponseAsync($"{Name}: finishing the upload of {digest}", response, cancellationToken).ConfigureAwait(false);
        }

        if (response.Headers.TryGetValues("Docker-Content-Digest", out var said) && said.FirstOrDefault() is { } named && named != digest)
        {
            throw new RegistryException($"{Name}: the registry stored the blob as {named}, not {digest} ({size} bytes sent)");
        }

        _finished = true;
        if (spool is not null)
        {
            _pushed?.Invoke(spool.Length);
            DropSpool();
        }
    }

    /// <summary>
    /// The exporter's end of the blob: its chunk buffers go back. An upload not committed is
    /// dropped at the registry too (DELETE, best effort); a committed one waits for
    /// <see cref="FinishAsync"/> or <see cref="Abandon"/>.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            _inFlight?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // Its failure was reported where it mattered.
        }

        ArrayPool<byte>.Shared.Return(_filling);
        ArrayPool<byte>.Shared.Return(_spare);
        if (!_committed)
        {
            Abandon();
        }
    }

    /// <summary>An upload that will not be finished: the registry is told to drop it, the spool file goes.</summary>
    public void Abandon()
    {
        if (!_finished && _location is { } location)
        {
            _finished = true;
            _ = Cancel(location);
        }

        DropSpool();
    }

    private void DropSpool()
    {
        // Opened with DeleteOnClose.
        _spool?.Dispose();
        _spool = null;
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        while (!bytes.IsEmpty)
        {
            var n = Math.Min(bytes.Length, _client.Options.ChunkSize - _filled);
            bytes[..n].CopyTo(_filling.AsSpan(_filled));
            _filled += n;
            bytes = bytes[n..];
            if (_filled == _client.Options.ChunkSize)
            {
                Dispatch();
            }
        }
    }

    /// <summary>Hands the filled chunk to a PATCH once the one before it is through (one in flight per layer: backpressure).</summary>
    private void Dispatch()
    {
        _inFlight?.GetAwaiter().GetResult();
        var chunk = _filling;
        var length = _filled;
        (_filling, _spare) = (_spare, _filling);
        _filled = 0;
        if (_spool is not null)
        {
            _spool.Write(chunk, 0, length);
            _inFlight = null;
            return;
        }

        _inFlight = SendChunkAsync(chunk, length);
    }

    private async Task SendChunkAsync(byte[] chunk, int length)
    {
        await _client.Uploads.WaitAsync(_cancellationToken).ConfigureAwait(false);
        try
        {
            _location ??= await StartAsync().ConfigureAwait(false);
            if (length == 0)
            {
                return;
            }

            var start = Interlocked.Read(ref _offset);
            using var response = await _client.SendAsync(
                async (attempt, token) =>
                {
                    // After a failed attempt the registry may hold part of the chunk, or none of it.
                    var held = attempt == 0 ? start : await HeldAsync(token).ConfigureAwait(false);
                    if (held < start || held > start + length)
                    {
                        throw new RegistryException($"{Name}: the registry holds {held} bytes of the upload where {start} to {start + length} were expected") { UploadLost = true };
                    }

                    var skip = (int)(held - start);
                    var request = new HttpRequestMessage(HttpMethod.Patch, _location)
                    {
                        Content = new ByteArrayContent(chunk, skip, length - skip),
                    };
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                    request.Content.Headers.TryAddWithoutValidation("Content-Range", $"{held}-{start + length - 1}");
                    return request;
                },
                "PATCH blob upload",
                _cancellationToken).ConfigureAwait(false);

            if (start == 0 && ChunksRefused.Contains(response.StatusCode))
            {
                // No chunked uploads here: everything goes to a spool file and out in the final PUT.
                var path = Path.Combine(Path.GetTempPath(), $"paralleldiff-upload-{Environment.ProcessId}-{Guid.NewGuid():N}.blob");
                _spool = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
                _spool.Write(chunk, 0, length);
                return;
            }

            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                var refused = await RegistryException.FromResponseAsync($"{Name}: uploading bytes {start} to {start + length - 1}", response, _cancellationToken).ConfigureAwait(false);

                // An upload the registry no longer knows, or holds at another offset: only a new one can go on.
                var lost = response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.RequestedRangeNotSatisfiable
                    || refused.Code?.StartsWith("BLOB_UPLOAD", StringComparison.Ordinal) == true;
                throw lost ? new RegistryException(refused.Message, response.StatusCode, refused.Code) { UploadLost = true } : refused;
            }

            _location = Location(response) ?? _location;
            Interlocked.Exchange(ref _offset, start + length);
            _pushed?.Invoke(length);
        }
        finally
        {
            _client.Uploads.Release();
        }
    }

    /// <summary>POST /v2/NAME/blobs/uploads/: the upload's first Location.</summary>
    private async Task<Uri> StartAsync()
    {
        var uri = _client.Resolve($"v2/{_client.Reference.Repository}/blobs/uploads/");
        using var response = await _client.SendAsync(HttpMethod.Post, uri, () => new ByteArrayContent([]), "POST blob upload", _cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw await RegistryException.FromResponseAsync($"{Name}: starting a blob upload", response, _cancellationToken).ConfigureAwait(false);
        }

        return Location(response) ?? throw new RegistryException($"{Name}: the registry started an upload without a Location");
    }

    /// <summary>GET on the upload: the Range header says how many bytes it holds (0-N, N+1 of them).</summary>
    private async Task<long> HeldAsync(CancellationToken cancellationToken)
    {
        using var response = await _client.SendAsync(HttpMethod.Get, _location!, null, "GET blob upload status", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest)
        {
            // Distribution drops an upload whose file no longer matches the offset it handed out.
            var lost = await RegistryException.FromResponseAsync($"{Name}: the registry dropped the upload", response, cancellationToken).ConfigureAwait(false);
            throw new RegistryException(lost.Message, response.StatusCode, lost.Code) { UploadLost = true };
        }

        if (response.StatusCode != HttpStatusCode.NoContent)
        {
            throw await RegistryException.FromResponseAsync($"{Name}: asking how much of the upload the registry holds", response, cancellationToken).ConfigureAwait(false);
        }

        _location = Location(response) ?? _location;
        return response.Headers.TryGetValues("Range", out var ranges) && ranges.FirstOrDefault() is { } range && range.Split('-') is [_, var end]
            && long.TryParse(end, NumberStyles.None, CultureInfo.InvariantCulture, out var last)
            ? last + 1
            : 0;
    }

    private Uri? Location(HttpResponseMessage response) =>
        response.Headers.Location is { } location ? _client.Resolve(location.OriginalString) : null;

    private async Task Cancel(Uri location)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            using var response = await _client.SendAsync(HttpMethod.Delete, location, null, "DELETE blob upload", timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RegistryException or OperationCanceledException or HttpRequestException)
        {
            // The registry drops abandoned uploads itself in time.
        }
    }

    private static Uri WithQuery(Uri uri, string query) =>
        new(uri.OriginalString + (uri.OriginalString.Contains('?', StringComparison.Ordinal) ? "&" : "?") + query);

    /// <summary>The write-only face the exporters see.</summary>
    private sealed class UploadStream(BlobUpload upload) : WriteOnlyStream
    {
        public override void Write(ReadOnlySpan<byte> buffer) => upload.Write(buffer);
    }

    /// <summary>The spool file stays open (and deletes itself on close) across retries of the final PUT.</summary>
    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position
        {
            get => inner.Position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        /// <summary>Leaves the spool open: only this wrapper goes.</summary>
        protected override void Dispose(bool disposing) => base.Dispose(disposing);
    }
}
