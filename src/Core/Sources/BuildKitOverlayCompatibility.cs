namespace ParallelDiff.Core.Sources;

/// <summary>
/// Would BuildKit's overlay differ take a mount's options? Its GetOverlayLayers
/// (util/overlay/overlay_linux.go; spec §2.2) knows lowerdir=, upperdir=, workdir=, redirect_dir=*,
/// and the exact strings index=off and userxattr; any other option makes it fall back to the
/// walking differ. It also splits lowerdir= on every ':' and never unescapes, so escaped paths or
/// data-only layers give it different layers than the kernel mounted.
/// </summary>
public static class BuildKitOverlayCompatibility
{
    /// <summary>Null when BuildKit would accept the options as the kernel reads them; otherwise the reason it would not.</summary>
    /// <param name="options">The options, one per element, as a snapshotter lists them.</param>
    public static string? Check(IEnumerable<string> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var option in options)
        {
            if (option.StartsWith("upperdir=", StringComparison.Ordinal) || option.StartsWith("lowerdir=", StringComparison.Ordinal))
            {
                if (option.Contains('\\', StringComparison.Ordinal))
                {
                    return $"BuildKit's overlay differ does not undo the '\\' escapes in \"{option}\", so it would read other directories than the kernel mounted";
                }

                if (option.StartsWith("lowerdir=", StringComparison.Ordinal) && option.Contains("::", StringComparison.Ordinal))
                {
                    return $"BuildKit's overlay differ splits \"{option}\" on every ':' and does not know data-only layers (\"::\"); it would see an empty layer";
                }

                continue;
            }

            if (option.StartsWith("workdir=", StringComparison.Ordinal)
                || option.StartsWith("redirect_dir=", StringComparison.Ordinal)
                || option is "index=off" or "userxattr")
            {
                continue;
            }

            return $"BuildKit's overlay differ rejects the mount option \"{option}\" (\"unknown option specified by snapshotter\") and uses its walking differ";
        }

        return null;
    }
}
