using System.Net;

namespace ParallelDiff.Cli.Tests.Registry;

/// <summary>
/// An HTTP service of a test's own on 127.0.0.1 and a free port (HttpListener), answering one
/// request at a time with <see cref="AnswerAsync"/> (the response is closed after it); a derived
/// service calls <see cref="Start"/> once it is set up. Disposing stops it.
/// </summary>
public abstract class LoopbackHttpService : IDisposable
{
    private readonly HttpListener _listener = new();
    private Task? _serving;

    protected LoopbackHttpService()
    {
        Port = LocalRegistry.FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
    }

    public int Port { get; }

    /// <summary>127.0.0.1:PORT.</summary>
    public string Address => $"127.0.0.1:{Port}";

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected void Start()
    {
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    protected abstract Task AnswerAsync(HttpListenerContext context);

    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

        _listener.Close();
        try
        {
            _serving?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // Closing the listener ends the loop with an exception.
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var response = context.Response;
            await AnswerAsync(context);
        }
    }
}
