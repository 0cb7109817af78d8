using System.Globalization;

namespace ParallelDiff.Core.Layers.LazyPull;

/// <summary>Modification times as the TOCs write them: RFC 3339 in UTC, whole seconds.</summary>
internal static class TocTime
{
    // Go's Time.MarshalJSON refuses years outside 0..9999; a time there is left out of the TOC
    // (the tar header still carries it) rather than written as something no reader parses.
    private const long Year1 = -62135596800;
    private const long Year9999End = 253402300799;

    /// <summary>"2006-01-02T15:04:05Z", or null when the year is outside 1..9999.</summary>
    public static string? Format(long unixSeconds) => unixSeconds is < Year1 or > Year9999End
        ? null
        : DateTimeOffset.FromUnixTimeSeconds(unixSeconds).UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'", CultureInfo.InvariantCulture);
}
