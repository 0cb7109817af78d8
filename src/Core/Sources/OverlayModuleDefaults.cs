namespace ParallelDiff.Core.Sources;

/// <summary>
/// The overlay module parameters that give a mount its defaults (/sys/module/overlay/parameters).
/// They matter twice: an option the mount data leaves out takes the module's value, and
/// /proc/self/mountinfo only prints options that differ from these values (ovl_show_options), so
/// "no index= option" means index is whatever the module says.
/// </summary>
public sealed record OverlayModuleDefaults
{
    /// <summary>Where the running kernel exposes the parameters.</summary>
    public const string SysfsDirectory = "/sys/module/overlay/parameters";

    /// <summary>The module parameter index: hard links are kept across copy-up by an index in workdir.</summary>
    public bool Index { get; init; }

    /// <summary>The module parameter metacopy.</summary>
    public bool Metacopy { get; init; }

    /// <summary>The module parameter redirect_dir: redirects are created (mode "on").</summary>
    public bool RedirectDir { get; init; }

    /// <summary>The module parameter redirect_always_follow: "off" (or no redirect_dir) still follows redirects.</summary>
    public bool RedirectAlwaysFollow { get; init; } = true;

    /// <summary>The module parameter nfs_export.</summary>
    public bool NfsExport { get; init; }

    /// <summary>
    /// The defaults of a kernel built with the usual configuration (CONFIG_OVERLAY_FS_INDEX,
    /// _METACOPY, _REDIRECT_DIR and _NFS_EXPORT off; _REDIRECT_ALWAYS_FOLLOW on), which is what
    /// Debian, Fedora and Ubuntu ship.
    /// </summary>
    public static OverlayModuleDefaults Builtin { get; } = new();

    /// <summary>The mode a mount gets when no redirect_dir option is given (params.c, ovl_redirect_mode_def).</summary>
    public OverlayRedirectMode DefaultRedirectMode =>
        RedirectDir ? OverlayRedirectMode.On : RedirectAlwaysFollow ? OverlayRedirectMode.Follow : OverlayRedirectMode.NoFollow;

    /// <summary>
    /// Reads the running module's parameters (Y/N files). A parameter that is missing (an older
    /// kernel, or overlay not loaded yet) keeps the <see cref="Builtin"/> value.
    /// </summary>
    /// <exception cref="Snapshots.SnapshotException">A parameter file holds something other than Y or N.</exception>
    public static OverlayModuleDefaults FromSysfs(string directory = SysfsDirectory)
    {
        var builtin = Builtin;
        return new OverlayModuleDefaults
        {
            Index = ReadFlag(directory, "index", builtin.Index),
            Metacopy = ReadFlag(directory, "metacopy", builtin.Metacopy),
            RedirectDir = ReadFlag(directory, "redirect_dir", builtin.RedirectDir),
            RedirectAlwaysFollow = ReadFlag(directory, "redirect_always_follow", builtin.RedirectAlwaysFollow),
            NfsExport = ReadFlag(directory, "nfs_export", builtin.NfsExport),
        };
    }

    private static bool ReadFlag(string directory, string name, bool fallback)
    {
        var path = Path.Combine(directory, name);
        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return fallback;
        }

        return text switch
        {
            "Y" => true,
            "N" => false,
            _ => throw new Snapshots.SnapshotException($"{path}: expected Y or N, found \"{text}\""),
        };
    }
}
