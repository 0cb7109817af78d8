using System.Net;
using System.Net.Http.Headers;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace ParallelDiff.Registry;

/// <summary>
/// One registry, spoken to over HttpClient as the distribution spec says: the scheme settled by a
/// ping of /v2/ (https; plain http for --insecure-registry hosts, and for a loopback host that does
/// not speak TLS), the challenge it answers with (Basic, or Bearer with a token per scope, renewed
/// on 401), and every request retried by a Polly pipeline when the failure may pass (5xx, 429, a
/// reset connection, a timeout). Thread-safe: the layers of a push share one client.
/// </summary>
public sealed class RegistryClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly RegistryCredential? _credential;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly RegistryTls _tls;
    private readonly SemaphoreSlim _authLock = new(1, 1);
    private readonly HashSet<string> _scopes = new(StringComparer.Ordinal);
    private AuthChallenge? _challenge;
    private volatile string? _authorization;

    private RegistryClient(ImageReference reference, RegistryOptions options, RegistryCredential? credential, RegistryTls tls)
    {
        Reference = reference;
        Options = options;
        _credential = credential;
        _tls = tls;
        _http = new HttpClient(tls.CreateHandler(), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("paralleldiff", "1.0"));
        _pipeline = Pipeline(options);
        Uploads = new SemaphoreSlim(Math.Max(1, options.MaxConcurrentUploads));
        BaseUri = new Uri($"https://{reference.Registry}/");
        _scopes.Add($"repository:{reference.Repository}:pull,push");
    }

    public ImageReference Reference { get; }

    public RegistryOptions Options { get; }

    /// <summary>https://REGISTRY/ or http://REGISTRY/, as the ping settled.</summary>
    public Uri BaseUri { get; private set; }

    /// <summary>Chunks in flight across every upload of this client (<see cref="RegistryOptions.MaxConcurrentUploads"/>).</summary>
    public SemaphoreSlim Uploads { get; }

    /// <summary>Finds the credentials, pings the registry and logs in, so that a push fails here, before any layer is read, when it cannot work.</summary>
    /// <exception cref="RegistryException">Unreachable, untrusted, or the credentials are refused; the message says which and never shows a secret.</exception>
    public static async Task<RegistryClient> ConnectAsync(ImageReference reference, RegistryOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(options);
        var credential = RegistryCredentials.Find(reference, options.AuthFile, options.Environment);
        var client = new RegistryClient(reference, options, credential, new RegistryTls(reference, options));
        try
        {
            await client.PingAsync(cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>A URI under this registry's /v2/NAME/ (for a path) or the one a Location header gave (relative or absolute).</summary>
    public Uri Resolve(string pathOrLocation) =>
        Uri.TryCreate(pathOrLocation, UriKind.Absolute, out var absolute) && absolute.Scheme.StartsWith("http", StringComparison.Ordinal)
            ? absolute
            : new Uri(BaseUri, pathOrLocation);

    /// <summary>Adds a repository the token must also allow pulling from (a cross-repository mount's source).</summary>
    public void AllowPullFrom(string repository)
    {
        lock (_scopes)
        {
            if (_scopes.Add($"repository:{repository}:pull"))
            {
                _authorization = _challenge?.IsBearer == true ? null : _authorization;
            }
        }
    }

    /// <summary>
    /// Sends a request (built again for each attempt: <paramref name="make"/> gets the attempt's
    /// number, so an upload can first ask the registry how much it holds), authorized, retried.
    /// </summary>
    /// <param name="what">"PATCH blob upload" and the like, for messages.</param>
    /// <returns>The last response, whatever its status, for the caller to judge.</returns>
    /// <exception cref="RegistryException">Every attempt failed without a response.</exception>
    public async Task<HttpResponseMessage> SendAsync(Func<int, CancellationToken, Task<HttpRequestMessage>> make, string what, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(make);
        var attempt = 0;
        try
        {
            return await _pipeline.ExecuteAsync(
                async token =>
                {
                    var response = await SendAuthorizedAsync(await make(attempt++, token).ConfigureAwait(false), token).ConfigureAwait(false);
                    if (response.StatusCode != HttpStatusCode.Unauthorized || !await RenewAsync(response, token).ConfigureAwait(false))
                    {
                        return response;
                    }

                    response.Dispose();
                    return await SendAuthorizedAsync(await make(attempt++, token).ConfigureAwait(false), token).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TimeoutRejectedException)
        {
            throw Unreachable(what, e, attempt);
        }
    }

    /// <summary>As <see cref="SendAsync(Func{int, CancellationToken, Task{HttpRequestMessage}}, string, CancellationToken)"/> for a request without a body or with one that can be sent again as it is.</summary>
    public Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri uri, Func<HttpContent?>? content, string what, CancellationToken cancellationToken) =>
        SendAsync(
            (_, _) =>
            {
                var request = new HttpRequestMessage(method, uri) { Content = content?.Invoke() };
                return Task.FromResult(request);
            },
            what,
            cancellationToken);

    public void Dispose()
    {
        _http.Dispose();
        _authLock.Dispose();
        Uploads.Dispose();
    }

    private async Task PingAsync(CancellationToken cancellationToken)
    {
        var insecure = Options.InsecureRegistries.Contains(Reference.Registry) || Options.InsecureRegistries.Contains(Reference.Host);
        if (insecure)
        {
            BaseUri = new Uri($"http://{Reference.Registry}/");
        }
        else if (RegistryTls.IsLoopback(Reference.Host))
        {
            // One attempt over TLS: a loopback registry that answers it not at all in TLS speaks plain HTTP.
            try
            {
                using var probe = await _http.GetAsync(new Uri(BaseUri, "v2/"), HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException) when (!_tls.ServerSpokeTls)
            {
                BaseUri = new Uri($"http://{Reference.Registry}/");
            }
            catch (HttpRequestException)
            {
                // TLS, but failing: the retried ping below says why.
            }
        }

        using var ping = await SendAsync(HttpMethod.Get, new Uri(BaseUri, "v2/"), null, "ping /v2/", cancellationToken).ConfigureAwait(false);
        if (ping.StatusCode == HttpStatusCode.Unauthorized)
        {
            throw await Refused("log in", ping, cancellationToken).ConfigureAwait(false);
        }

        if (!ping.IsSuccessStatusCode)
        {
            throw await RegistryException.FromResponseAsync($"{Reference.Registry}: GET /v2/", ping, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task<HttpResponseMessage> SendAuthorizedAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (_authorization is { } authorization)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    /// <summary>
    /// Answers a 401: the first one learns the challenge; a Bearer token is fetched again (expired,
    /// or a scope added). False when sending again cannot help (Basic credentials already sent, or none).
    /// </summary>
    private async Task<bool> RenewAsync(HttpResponseMessage unauthorized, CancellationToken cancellationToken)
    {
        var challenge = AuthChallenge.Parse(unauthorized.Headers.WwwAuthenticate.ToString());
        if (challenge is null)
        {
            return false;
        }

        var sent = unauthorized.RequestMessage?.Headers.Contains("Authorization") == true;
        await _authLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _challenge = challenge;
            if (challenge.IsBasic)
            {
                if (sent || _credential?.Username is null)
                {
                    return false;
                }

                var pair = Encoding.UTF8.GetBytes($"{_credential.Username}:{_credential.Password}");
                _authorization = "Basic " + Convert.ToBase64String(pair);
                return true;
            }

            if (!challenge.IsBearer)
            {
                return false;
            }

            if (challenge["scope"] is { Length: > 0 } scope)
            {
                lock (_scopes)
                {
                    _scopes.Add(scope);
                }
            }

            _authorization = "Bearer " + await FetchTokenAsync(challenge, cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            _authLock.Release();
        }
    }

    /// <summary>
    /// The token flow (distribution's token spec): GET REALM?service=…&amp;scope=… with Basic
    /// credentials when there are some, or the OAuth2 POST with an identity token.
    /// </summary>
    private async Task<string> FetchTokenAsync(AuthChallenge challenge, CancellationToken cancellationToken)
    {
        var realm = challenge["realm"] ?? throw new RegistryException($"{Reference.Registry}: the Bearer challenge names no realm");
        string[] scopes;
        lock (_scopes)
        {
            scopes = [.. _scopes];
        }

        var service = challenge["service"];
        HttpRequestMessage Request()
        {
            if (_credential?.IdentityToken is { } refresh)
            {
                var form = new List<KeyValuePair<string, string>>
                {
                    new("grant_type", "refresh_token"),
                    new("refresh_token", refresh),
                    new("client_id", "paralleldiff"),
                    new("scope", string.Join(' ', scopes)),
                };
                if (service is not null)
                {
                    form.Add(new("service", service));
                }

                return new HttpRequestMessage(HttpMethod.Post, realm) { Content = new FormUrlEncodedContent(form) };
            }

            var query = new StringBuilder(realm).Append(realm.Contains('?', StringComparison.Ordinal) ? '&' : '?');
            if (service is not null)
            {
                query.Append("service=").Append(Uri.EscapeDataString(service)).Append('&');
            }

            foreach (var scope in scopes)
            {
                query.Append("scope=").Append(Uri.EscapeDataString(scope)).Append('&');
            }

            var request = new HttpRequestMessage(HttpMethod.Get, query.ToString().TrimEnd('&'));
            if (_credential?.Username is { } user)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{_credential.Password}")));
            }

            return request;
        }

        HttpResponseMessage response;
        try
        {
            response = await _pipeline.ExecuteAsync(async token => await _http.SendAsync(Request(), token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TimeoutRejectedException)
        {
            throw new RegistryException($"{Reference.Registry}: the token service {realm} cannot be reached: {e.Message}", e);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var refused = await RegistryException.FromResponseAsync($"{Reference.Registry}: the token service {realm} refused {Described()}", response, cancellationToken).ConfigureAwait(false);
                throw refused;
            }

            using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), cancellationToken: cancellationToken).ConfigureAwait(false);
            var root = json.RootElement;
            return (root.TryGetProperty("token", out var t) ? t.GetString() : null)
                ?? (root.TryGetProperty("access_token", out var a) ? a.GetString() : null)
                ?? throw new RegistryException($"{Reference.Registry}: the token service {realm} answered without a token");
        }
    }

    private async Task<RegistryException> Refused(string what, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var error = await RegistryException.FromResponseAsync($"{Reference.Registry}: {what}", response, cancellationToken).ConfigureAwait(false);
        return new RegistryException($"{error.Message} ({Described()} {(_credential is null ? "none found; log in with docker login or podman login, or give --authfile" : "refused")})", response.StatusCode, error.Code);
    }

    private string Described() => _credential is null ? "no credentials:" : $"the {_credential}:";

    private RegistryException Unreachable(string what, Exception e, int attempts)
    {
        if (e is HttpRequestException { InnerException: AuthenticationException } && _tls.ServerSpokeTls)
        {
            return new RegistryException(
                $"{Reference.Registry}: the server's certificate is not trusted ({_tls.LastErrors}); give its CA with --cert-dir DIR (DIR/ca.crt), or --tls-verify=false", e);
        }

        var cause = e is TimeoutRejectedException ? $"no answer within {Options.RequestTimeout.TotalSeconds:0} s" : Innermost(e).Message;
        return new RegistryException($"{Reference.Registry}: {what}: {cause} ({attempts} attempts)", e);
    }

    private static Exception Innermost(Exception e) => e.InnerException is null ? e : Innermost(e.InnerException);

    private static ResiliencePipeline<HttpResponseMessage> Pipeline(RegistryOptions options) =>
        new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                // A TLS failure is not a passing one: retrying it would only delay the message.
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>(e => e.InnerException is not AuthenticationException)
                    .Handle<IOException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(r => (int)r.StatusCode >= 500 || r.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout),
                MaxRetryAttempts = Math.Max(0, options.MaxRetries),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                MaxDelay = TimeSpan.FromSeconds(30),
                OnRetry = args =>
                {
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            })
            .AddTimeout(options.RequestTimeout)
            .Build();
}
