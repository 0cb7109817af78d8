using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ParallelDiff.Cli.Metrics;

/// <summary>
/// --metrics: GET /metrics answered with <see cref="PrometheusExposition.Scrape"/> while the command
/// runs, one connection at a time, closed after each answer. A TcpListener rather than HttpListener
/// or an exporter package: a scrape is one small request, and the engine's native image stays free
/// of an HTTP server. Anything but GET or HEAD of /metrics gets 404 or 405; a request that does not
/// arrive within <see cref="RequestTimeout"/> is dropped, so one idle client cannot hold the endpoint.
/// </summary>
public sealed class MetricsEndpoint : IAsyncDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    /// <summary>A request head larger than this is refused: a scrape's is a few hundred bytes.</summary>
    private const int MaxHead = 16 * 1024;

    private readonly TcpListener _listener;
    private readonly PrometheusExposition _exposition = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    private MetricsEndpoint(TcpListener listener)
    {
        _listener = listener;
        _serving = ServeAsync(_stop.Token);
    }

    /// <summary>The address it listens on (the port the system chose, when 0 was asked).</summary>
    public IPEndPoint Address => (IPEndPoint)_listener.LocalEndpoint;

    /// <exception cref="IOException">The address cannot be listened on (in use, not this machine's); the message names it.</exception>
    public static MetricsEndpoint Start(string option, IPEndPoint address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var listener = new TcpListener(address);
        try
        {
            listener.Start();
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new IOException($"{option} {address}: cannot listen: {e.Message}", e);
        }

        return new MetricsEndpoint(listener);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        try
        {
            await _serving.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped while waiting for a connection or a request: the point of stopping.
        }

        _listener.Dispose();
        _exposition.Dispose();
        _stop.Dispose();
    }

    private async Task ServeAsync(CancellationToken stop)
    {
        while (true)
        {
            using var client = await _listener.AcceptTcpClientAsync(stop).ConfigureAwait(false);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
            timeout.CancelAfter(RequestTimeout);
            try
            {
                await AnswerAsync(client.GetStream(), timeout.Token).ConfigureAwait(false);
            }
            catch (Exception) when (!stop.IsCancellationRequested)
            {
                // This client went away or was too slow (or its answer failed): the next one is served.
            }
        }
    }

    private async Task AnswerAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var line = await RequestLineAsync(stream, cancellationToken).ConfigureAwait(false);
        var parts = line?.Split(' ');
        var (status, body) = parts switch
        {
            null or not [_, _, _] => ("400 Bad Request", "bad request\n"),
            [not ("GET" or "HEAD"), _, _] => ("405 Method Not Allowed", "GET or HEAD /metrics\n"),
            [_, var target, _] when target.Split('?')[0] != "/metrics" => ("404 Not Found", "the metrics are at /metrics\n"),
            _ => ("200 OK", _exposition.Scrape()),
        };
        var content = Encoding.UTF8.GetBytes(body);
        var head = new StringBuilder()
            .Append("HTTP/1.1 ").Append(status).Append("\r\n")
            .Append("Content-Type: ").Append(status == "200 OK" ? PrometheusExposition.ContentType : "text/plain; charset=utf-8").Append("\r\n")
            .Append("Content-Length: ").Append(content.Length).Append("\r\n")
            .Append(status.StartsWith("405", StringComparison.Ordinal) ? "Allow: GET, HEAD\r\n" : string.Empty)
            .Append("Connection: close\r\n\r\n")
            .ToString();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), cancellationToken).ConfigureAwait(false);
        if (parts is not ["HEAD", _, _])
        {
            await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The request's first line, once its whole head (up to the empty line) has arrived; null if the head is too long or the client stopped first.</summary>
    private static async Task<string?> RequestLineAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var head = new byte[MaxHead];
        var length = 0;
        while (length < head.Length)
        {
            var read = await stream.ReadAsync(head.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            length += read;
            if (head.AsSpan(0, length).IndexOf("\r\n\r\n"u8) >= 0)
            {
                var end = head.AsSpan(0, length).IndexOf("\r\n"u8);
                return Encoding.ASCII.GetString(head, 0, end);
            }
        }

        return null;
    }
}
