using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Core.Sources;

public sealed partial record OverlayMountOptions
{
    /// <summary>
    /// Superblock flags that the VFS takes from the data string before overlay sees it
    /// (fs_context.c, vfs_parse_sb_flag); they do not change what the layers mean.
    /// </summary>
    private static readonly HashSet<string> SuperblockFlags = new(StringComparer.Ordinal)
    {
        "ro", "rw", "sync", "async", "dirsync", "lazytime", "nolazytime", "mand", "nomand",
    };

    /// <summary>
    /// Parses a legacy mount(2) data string ("lowerdir=…,upperdir=…,workdir=…,index=off") as the
    /// kernel does: options split on ',' unless escaped with '\', the last occurrence of an option
    /// wins, then the kernel's defaults and dependency rules.
    /// </summary>
    /// <param name="data">The data string, as passed to mount(2) or mount -o.</param>
    /// <param name="defaults">The overlay module parameters to assume; <see cref="OverlayModuleDefaults.Builtin"/> when null.</param>
    /// <exception cref="SnapshotException">The kernel would refuse the options; the message names the option and the rule.</exception>
    public static OverlayMountOptions Parse(string data, OverlayModuleDefaults? defaults = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Parse(OverlayOptionSyntax.SplitOptions(data), defaults);
    }

    /// <summary>
    /// Parses options that are already separated (a containerd mount's option list, or the decoded
    /// super options of a mountinfo line): each element is exactly one option.
    /// </summary>
    /// <exception cref="SnapshotException">The kernel would refuse the options; the message names the option and the rule.</exception>
    public static OverlayMountOptions Parse(IEnumerable<string> options, OverlayModuleDefaults? defaults = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new Builder(defaults ?? OverlayModuleDefaults.Builtin);
        var list = options.ToList();
        foreach (var option in list)
        {
            builder.Apply(option);
        }

        return builder.Build(list);
    }

    /// <summary>The state of a mount being parsed: what was set, and whether it was set explicitly (params.c, ovl_opt_set).</summary>
    private sealed partial class Builder(OverlayModuleDefaults defaults)
    {
        private readonly List<OverlayLayer> _lowers = [];
        private readonly OverlayModuleDefaults _defaults = defaults;
        private bool _legacyLowerdir;
        private string? _upper;
        private string? _work;
        private OverlayRedirectMode? _redirect;
        private bool? _index;
        private bool? _metacopy;
        private bool? _nfsExport;
        private bool _userXattr;
        private bool _volatile;

        public void Apply(string option)
        {
            // vfs_parse_monolithic_sep: empty options and options that start with '=' are skipped.
            var equals = option.IndexOf('=', StringComparison.Ordinal);
            if (option.Length == 0 || equals == 0)
            {
                return;
            }

            var key = equals < 0 ? option : option[..equals];
            var value = equals < 0 ? null : option[(equals + 1)..];
            if (SuperblockFlags.Contains(key))
            {
                return;
            }

            switch (key)
            {
                case "lowerdir":
                    SetLowerdir(Require(key, value, allowEmpty: true));
                    break;
                case "lowerdir+":
                case "datadir+":
                    AddLayer(key, Require(key, value, allowEmpty: false));
                    break;
                case "upperdir":
                    _upper = OverlayOptionSyntax.Unescape(Require(key, value, allowEmpty: false));
                    break;
                case "workdir":
                    _work = OverlayOptionSyntax.Unescape(Require(key, value, allowEmpty: false));
                    break;
                case "redirect_dir":
                    _redirect = Choice(key, value, "on", "follow", "nofollow", "off") switch
                    {
                        "on" => OverlayRedirectMode.On,
                        "follow" => OverlayRedirectMode.Follow,
                        "nofollow" => OverlayRedirectMode.NoFollow,

                        // Opt_redirect_dir: "off" means "do not create", and whether to follow is the module's call.
                        _ => _defaults.RedirectAlwaysFollow ? OverlayRedirectMode.Follow : OverlayRedirectMode.NoFollow,
                    };
                    break;
                case "index":
                    _index = Choice(key, value, "on", "off") == "on";
                    break;
                case "metacopy":
                    _metacopy = Choice(key, value, "on", "off") == "on";
                    break;
                case "nfs_export":
                    _nfsExport = Choice(key, value, "on", "off") == "on";
                    break;
                case "fsync":
                    _volatile = Choice(key, value, "auto", "strict", "volatile") == "volatile";
                    break;

                // Inode numbers, file handles, the fs uuid and fs-verity checks: none of them changes
                // which entries or bytes a layer holds. (Older params.c made verity imply metacopy;
                // 6.18 mounts "verity=on,metacopy=off" and "userxattr,verity=on", so it no longer does.)
                case "xino":
                    Choice(key, value, "off", "auto", "on");
                    break;
                case "uuid":
                    Choice(key, value, "off", "null", "auto", "on");
                    break;
                case "verity":
                    Choice(key, value, "off", "on", "require");
                    break;
                case "userxattr":
                    Flag(key, value);
                    _userXattr = true;
                    break;
                case "volatile":
                    Flag(key, value);
                    _volatile = true;
                    break;
                case "default_permissions":
                case "override_creds":
                case "nooverride_creds":
                    Flag(key, value);
                    break;
                case "uidmap":
                case "gidmap":
                    throw new SnapshotException(
                        $"overlay option {option}: an idmapped overlay (containerd's uidmap=/gidmap=, not a kernel option): the upperdir holds shifted ids that this tool does not map back");
                default:
                    throw new SnapshotException($"overlay option {option}: unknown to the kernel's overlayfs (\"Unknown parameter '{key}'\")");
            }
        }

        private void SetLowerdir(string value)
        {
            // ovl_parse_param_lowerdir: a lowerdir= replaces every lower given before it; an empty one
            // only clears them, so lowerdir+= may follow it.
            _lowers.Clear();
            _legacyLowerdir = value.Length > 0;
            if (_legacyLowerdir)
            {
                _lowers.AddRange(OverlayOptionSyntax.SplitLowerdir(value));
                CheckStackDepth("lowerdir=" + value);
            }
        }

        private void AddLayer(string key, string value)
        {
            var option = key + "=" + value;
            if (_legacyLowerdir)
            {
                throw new SnapshotException($"overlay option {option}: lowerdir+ and datadir+ cannot follow a lowerdir= (the kernel refuses the mix)");
            }

            var dataOnly = key == "datadir+";
            if (!dataOnly && _lowers.Count > 0 && _lowers[^1].DataOnly)
            {
                throw new SnapshotException($"overlay option {option}: a regular lower layer cannot follow a datadir+ layer");
            }

            // The new mount API takes these values as they are: no unescaping (params.c, Opt_lowerdir_add).
            _lowers.Add(new OverlayLayer(value, dataOnly));
            CheckStackDepth(option);
        }

        private void CheckStackDepth(string option)
        {
            if (_lowers.Count > OverlayOptionSyntax.MaxStack)
            {
                throw new SnapshotException($"overlay option {option}: more than {OverlayOptionSyntax.MaxStack} lower layers (OVL_MAX_STACK)");
            }
        }

        private static string Require(string key, string? value, bool allowEmpty) =>
            value is null || (value.Length == 0 && !allowEmpty)
                ? throw new SnapshotException($"overlay option {key}{(value is null ? string.Empty : "=")}: needs a path (\"Bad value for '{key}'\")")
                : value;

        private static string Choice(string key, string? value, params ReadOnlySpan<string> allowed) =>
            value is not null && allowed.Contains(value)
                ? value
                : throw new SnapshotException($"overlay option {key}{(value is null ? string.Empty : "=" + value)}: the value must be one of {string.Join('|', allowed)}");

        private static void Flag(string key, string? value)
        {
            if (value is not null)
            {
                throw new SnapshotException($"overlay option {key}={value}: {key} is a flag and takes no value");
            }
        }
    }
}
