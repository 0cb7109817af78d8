using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;

namespace ParallelDiff.Cli.Tests.Registry;

/// <summary>
/// A token service for a <see cref="LocalRegistry"/>'s Bearer flow, as distribution's token spec
/// describes it: GET /token?service=…&amp;scope=… with Basic credentials answers a JWT (RS256, its
/// certificate in x5c, which the registry checks against rootcertbundle) granting the scopes asked;
/// and the OAuth2 form the token spec adds for a refresh token (docker login's "identitytoken"):
/// POST grant_type=refresh_token&amp;refresh_token=…&amp;scope=… answers {"access_token": …}.
/// Wrong credentials or an unknown refresh token get 401. Counts the tokens it issues, and those
/// issued for a refresh token.
/// </summary>
public sealed class TokenService : LoopbackHttpService
{
    public const string Service = "paralleldiff-test-registry";
    public const string Issuer = "paralleldiff-test-issuer";

    private readonly RSA _key = RSA.Create(2048);
    private readonly X509Certificate2 _certificate;
    private readonly string _user;
    private readonly string _password;
    private int _issued;

    private int _refreshed;

    public TokenService(string home, string user, string password, string? refreshToken = null)
    {
        _user = user;
        _password = password;
        RefreshToken = refreshToken;
        var request = new CertificateRequest("CN=paralleldiff test token signer", _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        CertificateFile = Path.Combine(home, "token.crt");
        File.WriteAllText(CertificateFile, _certificate.ExportCertificatePem());
        Realm = $"http://{Address}/token";
        Start();
    }

    public string Realm { get; }

    public string CertificateFile { get; }

    public int Issued => Volatile.Read(ref _issued);

    /// <summary>Tokens issued for <see cref="RefreshToken"/> (the OAuth2 POST).</summary>
    public int Refreshed => Volatile.Read(ref _refreshed);

    /// <summary>The refresh token the OAuth2 POST is answered for; null: never.</summary>
    public string? RefreshToken { get; }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _certificate.Dispose();
            _key.Dispose();
        }
    }

    protected override async Task AnswerAsync(HttpListenerContext context)
    {
        var response = context.Response;
        if (context.Request.HttpMethod == "POST")
        {
            await AnswerRefreshAsync(context);
            return;
        }

        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_user}:{_password}"));
        if (context.Request.Headers["Authorization"] != expected)
        {
            response.StatusCode = 401;
            var refusal = Encoding.UTF8.GetBytes("""{"errors":[{"code":"UNAUTHORIZED","message":"wrong user name or password"}]}""");
            await response.OutputStream.WriteAsync(refusal);
            return;
        }

        var scopes = context.Request.QueryString.GetValues("scope") ?? [];
        var body = Encoding.UTF8.GetBytes(new JsonObject { ["token"] = Token(scopes) }.ToJsonString());
        response.ContentType = "application/json";
        await response.OutputStream.WriteAsync(body);
        Interlocked.Increment(ref _issued);
    }

    private async Task AnswerRefreshAsync(HttpListenerContext context)
    {
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var form = System.Web.HttpUtility.ParseQueryString(await reader.ReadToEndAsync());
        var response = context.Response;
        if (form["grant_type"] != "refresh_token" || RefreshToken is null || form["refresh_token"] != RefreshToken || form["service"] != Service)
        {
            response.StatusCode = 401;
            await response.OutputStream.WriteAsync("""{"error":"invalid_grant"}"""u8.ToArray());
            return;
        }

        var body = Encoding.UTF8.GetBytes(new JsonObject { ["access_token"] = Token((form["scope"] ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries)) }.ToJsonString());
        response.ContentType = "application/json";
        await response.OutputStream.WriteAsync(body);
        Interlocked.Increment(ref _issued);
        Interlocked.Increment(ref _refreshed);
    }

    private string Token(IEnumerable<string> scopes)
    {
        var access = new JsonArray();
        foreach (var scope in scopes.SelectMany(s => s.Split(' ')))
        {
            // repository:NAME:ACTIONS, NAME itself may hold no ':' here (no port in repository names).
            var parts = scope.Split(':');
            access.Add(new JsonObject
            {
                ["type"] = parts[0],
                ["name"] = parts[1],
                ["actions"] = new JsonArray([.. parts[2].Split(',').Select(a => (JsonNode)a)]),
            });
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new JsonObject { ["alg"] = "RS256", ["typ"] = "JWT", ["x5c"] = new JsonArray(Convert.ToBase64String(_certificate.RawData)) };
        var claims = new JsonObject
        {
            ["iss"] = Issuer,
            ["sub"] = _user,
            ["aud"] = Service,
            ["exp"] = now + 300,
            ["nbf"] = now - 10,
            ["iat"] = now,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["access"] = access,
        };
        var signed = Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signed + "." + Base64Url(signature);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
