using System.Text.RegularExpressions;

namespace ParallelDiff.Registry;

/// <summary>
/// A reference to push to, as docker and podman read one: [REGISTRY/]REPOSITORY[:TAG]. The first
/// component is the registry when it has a '.' or ':' or is "localhost"; otherwise the image is on
/// Docker Hub (registry-1.docker.io, "library/" before a one-component name). A digest reference
/// names no tag to push, so it is refused.
/// </summary>
public sealed partial record ImageReference(string Registry, string Repository, string Tag)
{
    private const string DockerHub = "registry-1.docker.io";

    /// <summary>The host (and port) requests go to.</summary>
    public string Registry { get; } = Registry;

    /// <summary>The repository's name on that registry, e.g. "team/app".</summary>
    public string Repository { get; } = Repository;

    public string Tag { get; } = Tag;

    /// <summary>The host without a port, for the rules that look at the name alone (loopback, auth file keys).</summary>
    public string Host => Registry.StartsWith('[') ? Registry[..(Registry.IndexOf(']', StringComparison.Ordinal) + 1)]
        : Registry.Split(':')[0];

    public override string ToString() => $"{Registry}/{Repository}:{Tag}";

    /// <exception cref="FormatException">Not a reference a registry would take, said in words.</exception>
    public static ImageReference Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Contains('@', StringComparison.Ordinal))
        {
            throw new FormatException($"'{text}': a push needs a tag, not a digest (REGISTRY/REPOSITORY:TAG)");
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var first = slash < 0 ? string.Empty : text[..slash];
        var isRegistry = first.Length > 0 && (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost");
        var registry = isRegistry ? first : DockerHub;
        var rest = isRegistry ? text[(slash + 1)..] : text;
        if (registry is "docker.io" or "index.docker.io")
        {
            registry = DockerHub;
        }

        var colon = rest.LastIndexOf(':');
        var repository = colon < 0 ? rest : rest[..colon];
        var tag = colon < 0 ? "latest" : rest[(colon + 1)..];
        if (registry == DockerHub && !repository.Contains('/', StringComparison.Ordinal))
        {
            repository = "library/" + repository;
        }

        if (!RepositoryPattern().IsMatch(repository))
        {
            throw new FormatException($"'{text}': '{repository}' is not a repository name (lowercase letters, digits and . _ - separated by /)");
        }

        if (!TagPattern().IsMatch(tag))
        {
            throw new FormatException($"'{text}': '{tag}' is not a tag (up to 128 letters, digits, _ . -, not starting with . or -)");
        }

        return new ImageReference(registry, repository, tag);
    }

    /// <summary>The distribution spec's repository name grammar.</summary>
    [GeneratedRegex("^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex RepositoryPattern();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex TagPattern();
}
