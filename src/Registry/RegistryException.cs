using System.Net;
using System.Text.Json;

namespace ParallelDiff.Registry;

/// <summary>
/// A push that cannot succeed as it stands: the registry's own error code and message where it gave
/// them (DENIED, NAME_INVALID, BLOB_UNKNOWN…), or what failed on our side. Never carries a secret.
/// </summary>
public sealed class RegistryException : IOException
{
    public RegistryException()
    {
    }

    public RegistryException(string message) : base(message)
    {
    }

    public RegistryException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public RegistryException(string message, HttpStatusCode status, string? code) : base(message)
    {
        Status = status;
        Code = code;
    }

    public HttpStatusCode? Status { get; }

    /// <summary>The distribution spec's error code, e.g. "DENIED".</summary>
    public string? Code { get; }

    /// <summary>
    /// The registry no longer has a streamed upload, or not all of it (restarted in the middle of a
    /// chunk: distribution then drops it): the layer can only be sent again from its start.
    /// </summary>
    public bool UploadLost { get; init; }

    /// <summary>Whether <paramref name="error"/>, or an exception it wraps, is a lost upload.</summary>
    public static bool IsUploadLost(Exception? error) =>
        error switch
        {
            null => false,
            RegistryException { UploadLost: true } => true,
            AggregateException aggregate => aggregate.InnerExceptions.Any(IsUploadLost),
            _ => IsUploadLost(error.InnerException),
        };

    /// <summary>
    /// "PUT /v2/…: 403 DENIED: requested access to the resource is denied", from a response the
    /// registry refused; the body's errors array (distribution spec) gives code and message.
    /// </summary>
    public static async Task<RegistryException> FromResponseAsync(string what, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        string? code = null;
        string? message = null;
        try
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (body.Length > 0 && body.Length < 1 << 20)
            {
                using var json = JsonDocument.Parse(body);
                if (json.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
                {
                    var first = errors[0];
                    code = first.TryGetProperty("code", out var c) ? c.GetString() : null;
                    message = first.TryGetProperty("message", out var m) ? m.GetString() : null;
                }
            }
        }
        catch (JsonException)
        {
            // Not the spec's error body (a proxy's HTML page): the status says enough.
        }

        var status = (int)response.StatusCode;
        var said = code is null ? response.ReasonPhrase : message is null ? code : $"{code}: {message}";
        return new RegistryException($"{what}: {status} {said}", response.StatusCode, code);
    }
}
