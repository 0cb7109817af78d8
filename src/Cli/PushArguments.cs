using ParallelDiff.Registry;

namespace ParallelDiff.Cli;

/// <summary>--push and the options that say how to reach the registry, shared by diff, image and export.</summary>
public static class PushArguments
{
    public static readonly string[] ValueOptions = ["--push", "--authfile", "--tls-verify", "--cert-dir", "--insecure-registry", "--max-concurrent-uploads"];

    private static readonly string[] Booleans = ["true", "false"];

    /// <summary>--tls-verify's words, as <see cref="Options"/> accepts them.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Choices = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        ["--tls-verify"] = Booleans,
    };

    public const string Help = """
          --push REF           also push the image to a registry, REGISTRY/REPOSITORY:TAG (the same
                               manifest a layout would hold); layers go up while they are written
          --authfile FILE      the credentials file to read (also $REGISTRY_AUTH_FILE); by default
                               $XDG_RUNTIME_DIR/containers/auth.json, ~/.config/containers/auth.json,
                               then ~/.docker/config.json, with their credHelpers and credsStore
          --tls-verify BOOL    true (default); false accepts any certificate
          --cert-dir DIR       *.crt CAs to trust and NAME.cert/NAME.key client certificates
                               (default /etc/containers/certs.d/HOST:PORT, /etc/docker/certs.d/HOST:PORT)
          --insecure-registry HOST[,HOST]
                               speak plain HTTP to these (a loopback registry without TLS is found alone)
          --max-concurrent-uploads N
                               chunks sent at once (default registry.max-concurrent-uploads, 3)
        """;

    /// <summary>The reference of --push, or null; a malformed one is a usage error.</summary>
    public static ImageReference? Reference(CommandLine cl) => Parse(cl.Value("--push"), "--push");

    /// <summary>A reference from the command line or a job file, in words when it is not one.</summary>
    public static ImageReference? Parse(string? text, string where)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            return ImageReference.Parse(text);
        }
        catch (FormatException e)
        {
            throw new UsageException($"{where} {e.Message}");
        }
    }

    public static RegistryOptions Options(CommandLine cl, Settings settings)
    {
        ArgumentNullException.ThrowIfNull(cl);
        ArgumentNullException.ThrowIfNull(settings);
        var verify = cl.Choice("--tls-verify", "true", Booleans) == "true";
        var uploads = cl.Number("--max-concurrent-uploads") ?? settings.MaxConcurrentUploads;
        if (uploads is < 1 or > 64)
        {
            throw new UsageException($"--max-concurrent-uploads {uploads}: give a number from 1 to 64");
        }

        if (cl.Value("--cert-dir") is { } certs && !Directory.Exists(certs))
        {
            throw new UsageException($"--cert-dir {certs}: no such directory");
        }

        return new RegistryOptions
        {
            AuthFile = cl.Value("--authfile"),
            TlsVerify = verify,
            CertDir = cl.Value("--cert-dir"),
            InsecureRegistries = (cl.Value("--insecure-registry") ?? string.Empty)
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .ToHashSet(StringComparer.OrdinalIgnoreCase),
            ChunkSize = settings.RegistryChunkSize,
            MaxConcurrentUploads = (int)uploads,
            MaxRetries = settings.RegistryRetries,
            RetryDelay = settings.RegistryRetryDelay,
            RequestTimeout = settings.RegistryRequestTimeout,
        };
    }
}
