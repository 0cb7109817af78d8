using System.Globalization;
using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Fs;

namespace ParallelDiff.Actors.Tests.Support;

/// <summary>Changes as readable lines, so a mismatch shows the first differing path in the assertion message.</summary>
public static class ChangeLines
{
    public static List<string> Of(IEnumerable<Change> changes) =>
        changes.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Kind} {PathBytes.Display(c.Path)} {c.Status.Kind} {c.Status.Size} {Convert.ToString(c.Status.Mode, 8)} {c.Xattrs.Count}")).ToList();
}
