using ParallelDiff.Core.Snapshots;

namespace ParallelDiff.Core.Sources;

public sealed partial record OverlayMountOptions
{
    private sealed partial class Builder
    {
        /// <summary>
        /// Applies the module defaults and the kernel's dependency rules in the kernel's order
        /// (params.c, ovl_fs_params_verify), as the running 6.x kernels do: an explicit conflict is an
        /// error; otherwise the option that was given explicitly wins over the one that was implied.
        /// </summary>
        public OverlayMountOptions Build(IReadOnlyList<string> options)
        {
            var joined = string.Join(',', options);
            if (_lowers.Count == 0)
            {
                throw Error(joined, "no lowerdir (\"missing 'lowerdir'\")");
            }

            if (_upper is not null && _work is null)
            {
                throw Error(joined, "an upperdir needs a workdir (\"missing 'workdir'\")");
            }

            if (_upper is null && _lowers.Count < 2)
            {
                throw Error(joined, "without an upperdir the kernel needs at least two lower layers");
            }

            var redirect = _redirect ?? _defaults.DefaultRedirectMode;
            var metacopy = _metacopy ?? _defaults.Metacopy;
            var nfsExport = _nfsExport ?? _defaults.NfsExport;
            var index = _index ?? _defaults.Index;
            var indexSource = _index is null ? "the overlay module's default, /sys/module/overlay/parameters/index" : "given explicitly";

            // workdir, index and volatile mean nothing without an upper, and "follow" is "on" there.
            if (_upper is null)
            {
                index = false;
                if (redirect == OverlayRedirectMode.Follow)
                {
                    redirect = OverlayRedirectMode.On;
                }
            }

            // metacopy needs redirects to be created: it turns them on unless redirect_dir was given.
            if (metacopy && redirect != OverlayRedirectMode.On)
            {
                if (_metacopy is not null && _redirect is not null)
                {
                    throw Error(joined, $"conflicting options metacopy=on and redirect_dir={Name(redirect)}");
                }

                if (_redirect is not null)
                {
                    metacopy = false;
                }
                else
                {
                    redirect = OverlayRedirectMode.On;
                }
            }

            // nfs_export needs the index: it turns index on unless index=off was given.
            if (nfsExport && !index)
            {
                if (_upper is null && redirect != OverlayRedirectMode.NoFollow)
                {
                    nfsExport = false;
                }
                else if (_nfsExport is not null && _index is not null)
                {
                    throw Error(joined, "conflicting options nfs_export=on and index=off");
                }
                else if (_index is not null)
                {
                    nfsExport = false;
                }
                else
                {
                    index = true;
                    indexSource = "implied by nfs_export=on";
                }
            }

            // nfs_export and metacopy exclude each other; the explicit one wins.
            if (nfsExport && metacopy)
            {
                if (_nfsExport is not null && _metacopy is not null)
                {
                    throw Error(joined, "conflicting options nfs_export=on and metacopy=on");
                }

                if (_metacopy is not null)
                {
                    nfsExport = false;
                }
                else
                {
                    metacopy = false;
                }
            }

            // userxattr: an unprivileged mount can neither create nor trust redirects or metacopy.
            if (_userXattr)
            {
                if (_redirect is not null && redirect != OverlayRedirectMode.NoFollow)
                {
                    throw Error(joined, $"conflicting options userxattr and redirect_dir={Name(redirect)} (userxattr allows only nofollow)");
                }

                if (metacopy && _metacopy is not null)
                {
                    throw Error(joined, "conflicting options userxattr and metacopy=on");
                }

                redirect = OverlayRedirectMode.NoFollow;
                metacopy = false;
            }

            return new OverlayMountOptions
            {
                Options = options,
                UpperDir = _upper,
                WorkDir = _upper is null ? null : _work,
                Lowers = _lowers.ToList(),
                RedirectMode = redirect,
                Index = index,
                IndexSource = index ? indexSource : null,
                Metacopy = metacopy,
                NfsExport = nfsExport,
                UserXattr = _userXattr,
                Volatile = _volatile && _upper is not null,
            };
        }

        private static string Name(OverlayRedirectMode mode) => mode switch
        {
            OverlayRedirectMode.On => "on",
            OverlayRedirectMode.Follow => "follow",
            _ => "nofollow",
        };

        private static SnapshotException Error(string options, string cause) => new($"overlay options \"{options}\": {cause}");
    }
}
