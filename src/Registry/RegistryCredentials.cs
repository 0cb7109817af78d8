using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace ParallelDiff.Registry;

/// <summary>
/// Finds credentials where docker and podman keep them. With an auth file given (--authfile or
/// REGISTRY_AUTH_FILE) only that file is read; otherwise ${XDG_RUNTIME_DIR}/containers/auth.json,
/// ~/.config/containers/auth.json, then $DOCKER_CONFIG/config.json (~/.docker/config.json). In each:
/// credHelpers for the registry, then auths (keys may carry a scheme and a path, or name a
/// repository), then credsStore; a helper is run as docker-credential-NAME get.
/// </summary>
public static class RegistryCredentials
{
    private static readonly string[] DockerHubNames = ["registry-1.docker.io", "index.docker.io", "docker.io"];

    /// <param name="environment">Reads an environment variable (a test passes its own).</param>
    /// <returns>Null when no file names the registry (the push goes anonymous).</returns>
    /// <exception cref="RegistryException">An auth file does not parse, or a helper fails; the message names it, never a secret.</exception>
    public static RegistryCredential? Find(ImageReference reference, string? authFile, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(environment);
        foreach (var file in Files(authFile, environment))
        {
            if (FromFile(file, reference, environment) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    private static IEnumerable<string> Files(string? authFile, Func<string, string?> environment)
    {
        authFile ??= environment("REGISTRY_AUTH_FILE");
        if (!string.IsNullOrEmpty(authFile))
        {
            // Named by the user: it must be there.
            if (!File.Exists(authFile))
            {
                throw new RegistryException($"{authFile}: no such auth file");
            }

            yield return authFile;
            yield break;
        }

        var home = environment("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string?[] candidates =
        [
            environment("XDG_RUNTIME_DIR") is { Length: > 0 } run ? Path.Combine(run, "containers", "auth.json") : null,
            Path.Combine(environment("XDG_CONFIG_HOME") is { Length: > 0 } config ? config : Path.Combine(home, ".config"), "containers", "auth.json"),
            Path.Combine(environment("DOCKER_CONFIG") is { Length: > 0 } docker ? docker : Path.Combine(home, ".docker"), "config.json"),
        ];
        foreach (var candidate in candidates)
        {
            if (candidate is not null && File.Exists(candidate))
            {
                yield return candidate;
            }
        }
    }

    private static RegistryCredential? FromFile(string file, ImageReference reference, Func<string, string?> environment)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(file));
        }
        catch (JsonException e)
        {
            throw new RegistryException($"{file}: not a JSON auth file (line {e.LineNumber + 1}): {e.Message.Split(" Path:")[0]}", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RegistryException($"{file}: cannot read the auth file: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new RegistryException($"{file}: not a JSON auth file (expected an object with \"auths\")");
            }

            var names = RegistryNames(reference.Registry);
            if (root.TryGetProperty("credHelpers", out var helpers) && helpers.ValueKind == JsonValueKind.Object)
            {
                foreach (var helper in helpers.EnumerateObject().Where(h => names.Contains(h.Name, StringComparer.Ordinal)))
                {
                    return FromHelper(helper.Value.GetString() ?? string.Empty, reference, file, environment);
                }
            }

            if (root.TryGetProperty("auths", out var auths) && auths.ValueKind == JsonValueKind.Object && FromAuths(auths, reference, file) is { } found)
            {
                return found;
            }

            return root.TryGetProperty("credsStore", out var store) && store.GetString() is { Length: > 0 } storeName
                ? FromHelper(storeName, reference, file, environment)
                : null;
        }
    }

    /// <summary>The most specific key first: registry/repo/..., then the registry itself, keys compared without scheme or trailing path.</summary>
    private static RegistryCredential? FromAuths(JsonElement auths, ImageReference reference, string file)
    {
        var entries = auths.EnumerateObject().Select(e => (Key: NormalizeKey(e.Name), e.Value)).ToList();
        var parts = reference.Repository.Split('/');
        foreach (var name in RegistryNames(reference.Registry))
        {
            for (var n = parts.Length; n >= 0; n--)
            {
                var key = n == 0 ? name : name + "/" + string.Join('/', parts[..n]);
                var match = entries.FirstOrDefault(e => e.Key == key);
                if (match.Key is not null)
                {
                    return FromEntry(match.Value, $"{file} (auths \"{key}\")");
                }
            }
        }

        return null;
    }

    private static RegistryCredential? FromEntry(JsonElement entry, string source)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var token = entry.TryGetProperty("identitytoken", out var t) ? t.GetString() : null;
        if (entry.TryGetProperty("auth", out var auth) && auth.GetString() is { Length: > 0 } encoded)
        {
            string pair;
            try
            {
                pair = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            }
            catch (FormatException e)
            {
                throw new RegistryException($"{source}: \"auth\" is not base64 of user:password", e);
            }

            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                throw new RegistryException($"{source}: \"auth\" is not base64 of user:password");
            }

            return new RegistryCredential(pair[..colon], pair[(colon + 1)..], string.IsNullOrEmpty(token) ? null : token, source);
        }

        var user = entry.TryGetProperty("username", out var u) ? u.GetString() : null;
        var password = entry.TryGetProperty("password", out var p) ? p.GetString() : null;
        return user is not null || !string.IsNullOrEmpty(token)
            ? new RegistryCredential(user, password, string.IsNullOrEmpty(token) ? null : token, source)
            : null;
    }

    /// <summary>Runs docker-credential-NAME get with the server on stdin; "not found" is no credential.</summary>
    private static RegistryCredential? FromHelper(string name, ImageReference reference, string file, Func<string, string?> environment)
    {
        var program = "docker-credential-" + name;
        var server = reference.Registry == "registry-1.docker.io" ? "https://index.docker.io/v1/" : reference.Registry;
        var start = new ProcessStartInfo(program, ["get"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (environment("PATH") is { } path)
        {
            start.Environment["PATH"] = path;
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new RegistryException($"{file}: cannot start the credential helper {program}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new RegistryException($"{file}: the credential helper {program} cannot be run: {e.Message}", e);
        }

        using (process)
        {
            process.StandardInput.Write(server);
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                var said = (stdout.Result + stderr.Result).Trim();
                if (said.Contains("credentials not found", StringComparison.OrdinalIgnoreCase))
                {
                    return null;
                }

                // A helper's message is about the helper, not the secret; still, only its first line.
                throw new RegistryException($"{file}: the credential helper {program} failed for {server} (exit {process.ExitCode}): {said.Split('\n')[0]}");
            }

            try
            {
                using var answer = JsonDocument.Parse(stdout.Result);
                var user = answer.RootElement.GetProperty("Username").GetString();
                var secret = answer.RootElement.GetProperty("Secret").GetString();
                var source = $"{file} (helper {program})";
                return user == "<token>"
                    ? new RegistryCredential(null, null, secret, source)
                    : new RegistryCredential(user, secret, null, source);
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new RegistryException($"{file}: the credential helper {program} did not answer with Username and Secret", e);
            }
        }
    }

    private static string[] RegistryNames(string registry) =>
        DockerHubNames.Contains(registry, StringComparer.Ordinal) ? DockerHubNames : [registry];

    /// <summary>"https://index.docker.io/v1/" → "index.docker.io"; "reg:5000/team/app" stays as it is.</summary>
    private static string NormalizeKey(string key)
    {
        var scheme = key.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            key = key[(scheme + 3)..];
            var slash = key.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0)
            {
                key = key[..slash];
            }
        }

        return key.TrimEnd('/');
    }
}
