using System.Globalization;
using System.Text;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Tar;
using ParallelDiff.Core.Tests.Support;

namespace ParallelDiff.Core.Tests.Kernel;

/// <summary>One line per entry of a layer tar, and of a layer directory on disk: what a failure message needs to be acted on.</summary>
internal static class ScenarioListings
{
    /// <summary>Every entry of the tar with Core's TarReader: type, name, mode, owner, size, mtime, link, device, xattr names.</summary>
    public static string Tar(byte[] tar)
    {
        var text = new StringBuilder();
        try
        {
            var reader = new TarReader(new MemoryStream(tar));
            while (reader.Next() is { } entry)
            {
                var h = entry.Header;
                text.Append(CultureInfo.InvariantCulture, $"    {(char)h.Type} {PathBytes.Display(h.Name)} {Convert.ToString(h.Mode, 8)} {h.Uid}:{h.Gid} size={h.Size} mtime={h.MtimeSeconds}");
                if (h.LinkName.Length > 0)
                {
                    text.Append(" link=").Append(PathBytes.Display(h.LinkName));
                }

                if (h.Type is TarEntryType.CharDevice or TarEntryType.BlockDevice)
                {
                    text.Append(CultureInfo.InvariantCulture, $" dev={h.DevMajor}:{h.DevMinor}");
                }

                foreach (var (name, _) in h.Xattrs)
                {
                    text.Append(" xattr=").Append(name);
                }

                text.Append('\n');
            }
        }
        catch (IOException e)
        {
            text.Append("    (unreadable: ").Append(e.Message).Append(")\n");
        }

        return text.ToString();
    }

    /// <summary>
    /// A layer directory as it is on disk, overlay xattrs included (redirects, metacopy, opaque):
    /// type, path, mode, owner, size, mtime, inode for names with more than one link.
    /// </summary>
    public static string Directory(string root)
    {
        var fs = LinuxFileSystem.Instance;
        var text = new StringBuilder();
        foreach (var walked in TreeWalk.Walk(root, skipVanished: false))
        {
            var st = walked.Status;
            text.Append(CultureInfo.InvariantCulture, $"    {TreeSnapshot.TypeOf(st).ToJsonName()} {PathBytes.Display(walked.RelativePath)} {Convert.ToString(st.Mode, 8)} {st.Uid}:{st.Gid}");
            text.Append(CultureInfo.InvariantCulture, $" size={st.Size} mtime={st.MtimeSeconds}.{st.MtimeNanoseconds:D9}");
            if (st.IsHardLinked)
            {
                text.Append(CultureInfo.InvariantCulture, $" ino={st.Inode} nlink={st.LinkCount}");
            }

            if (st.Kind is FileKind.CharDevice or FileKind.BlockDevice)
            {
                text.Append(CultureInfo.InvariantCulture, $" dev={st.RdevMajor}:{st.RdevMinor}");
            }

            foreach (var name in fs.ListXattrs(walked.FullPath))
            {
                var value = fs.GetXattr(walked.FullPath, name);
                text.Append(' ').Append(name);
                // The values that decide what the layer means; origin and uuid are binary file handles.
                if (value is not null && (name.EndsWith(".opaque", StringComparison.Ordinal) || name.EndsWith(".redirect", StringComparison.Ordinal)))
                {
                    text.Append("=\"").Append(PathBytes.Display(value)).Append('"');
                }
            }

            text.Append('\n');
        }

        return text.ToString();
    }
}
