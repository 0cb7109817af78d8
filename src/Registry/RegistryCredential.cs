namespace ParallelDiff.Registry;

/// <summary>
/// What a user gave for one registry: a user name and password, or an identity token (an OAuth2
/// refresh token, docker login's "identitytoken"). <see cref="Source"/> says where it was found,
/// for messages; the secret itself is never printed (<see cref="ToString"/> leaves it out).
/// </summary>
public sealed record RegistryCredential(string? Username, string? Password, string? IdentityToken, string Source)
{
    public override string ToString() => $"credentials for {Username ?? "<token>"} from {Source}";
}
