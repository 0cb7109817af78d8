using System.Globalization;
using System.Net;

namespace ParallelDiff.Cli.Metrics;

/// <summary>
/// Where --metrics listens: "PORT" on the default host (metrics.host in the settings, loopback), or
/// "HOST:PORT" with HOST an IP address ("[::1]:PORT" for IPv6) or "localhost". No name is looked
/// up: a listener bound by a resolver's answer could end up on an address nobody meant to open.
/// Port 0 takes any free port, which the export then prints.
/// </summary>
public static class MetricsAddress
{
    /// <exception cref="UsageException">Not a port, nor an IP address and a port.</exception>
    public static IPEndPoint Parse(string option, string value, string defaultHost)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(defaultHost);
        var colon = value.LastIndexOf(':');
        var (host, port) = colon < 0 ? (defaultHost, value) : (value[..colon], value[(colon + 1)..]);
        if (colon >= 0 && host.Contains(':', StringComparison.Ordinal) && !(host.StartsWith('[') && host.EndsWith(']')))
        {
            throw new UsageException($"{option} {value}: write an IPv6 address in brackets, as [::1]:PORT");
        }

        if (!ushort.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            throw new UsageException($"{option} {value}: '{port}' is not a port (0 to 65535)");
        }

        return new IPEndPoint(Address(option, value, host.Trim('[', ']')), number);
    }

    private static IPAddress Address(string option, string value, string host)
    {
        if (host == "localhost")
        {
            return IPAddress.Loopback;
        }

        return IPAddress.TryParse(host, out var address)
            ? address
            : throw new UsageException($"{option} {value}: '{host}' is not an IP address (names are not looked up; 127.0.0.1, 0.0.0.0, [::1] or localhost)");
    }
}
