using System.Globalization;

namespace ParallelDiff.Core.Fs;

/// <summary>Which files processes hold open: how a leftover temporary file is told from one a live writer still fills.</summary>
public static class OpenFiles
{
    /// <summary>
    /// Every file some process has open, from the /proc/PID/fd links (what fuser(1) reads). Processes
    /// of other users cannot be read unless this one is root; their files count as not open.
    /// </summary>
    public static HashSet<string> All()
    {
        var open = new HashSet<string>(StringComparer.Ordinal);
        foreach (var process in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(process), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                continue;
            }

            try
            {
                foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(process, "fd")))
                {
                    if (new FileInfo(fd).LinkTarget is { } target)
                    {
                        open.Add(target);
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while being read, or belongs to someone else.
            }
        }

        return open;
    }
}
