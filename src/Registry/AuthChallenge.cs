namespace ParallelDiff.Registry;

/// <summary>
/// A registry's WWW-Authenticate challenge: its scheme (Basic or Bearer) and parameters (realm,
/// service, scope). Values are quoted strings that may hold commas (a scope of "pull,push").
/// </summary>
public sealed record AuthChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public bool IsBearer => Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);

    public bool IsBasic => Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);

    public string? this[string name] => Parameters.GetValueOrDefault(name);

    /// <returns>Null when the header is empty or has no scheme.</returns>
    public static AuthChallenge? Parse(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return null;
        }

        header = header.Trim();
        var space = header.IndexOf(' ', StringComparison.Ordinal);
        var scheme = space < 0 ? header : header[..space];
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = space < 0 ? header.Length : space + 1;
        while (i < header.Length)
        {
            while (i < header.Length && header[i] is ' ' or ',')
            {
                i++;
            }

            var eq = header.IndexOf('=', i);
            if (eq < 0)
            {
                break;
            }

            var name = header[i..eq].Trim();
            i = eq + 1;
            string value;
            if (i < header.Length && header[i] == '"')
            {
                var text = new System.Text.StringBuilder();
                for (i++; i < header.Length && header[i] != '"'; i++)
                {
                    text.Append(header[i] == '\\' && i + 1 < header.Length ? header[++i] : header[i]);
                }

                value = text.ToString();
                i++;
            }
            else
            {
                var end = header.IndexOf(',', i);
                end = end < 0 ? header.Length : end;
                value = header[i..end].Trim();
                i = end;
            }

            parameters[name] = value;
        }

        return new AuthChallenge(scheme, parameters);
    }
}
