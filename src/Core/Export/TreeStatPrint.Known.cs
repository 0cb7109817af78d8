using ParallelDiff.Core.Fs;

namespace ParallelDiff.Core.Export;

/// <summary>A print made again from the paths an earlier walk saw.</summary>
public static partial class TreeStatPrint
{
    /// <summary>
    /// The print of the tree under <paramref name="root"/>, made by looking up each path of
    /// <paramref name="known"/> below the root's descriptor (statx and listxattrat) rather than
    /// opening and listing every directory: the same bytes <see cref="Of(IFileSystem, byte[], in FileStatus, out int, out PrintedTree?, bool?, int, CancellationToken)"/>
    /// makes, as long as every directory is still the one that walk saw (<see cref="PrintedEntry.StillIs"/>),
    /// and so holds the names it held. Null as soon as one is not, or a path is gone: the caller
    /// walks the tree. A warm --cache export of small uppers spent a third of each snapshot's system
    /// calls opening, listing and closing their four directories.
    /// <para>
    /// A path is looked up whole below the root, so a directory swapped for a symbolic link in the
    /// instant after its own check is followed there, where a walk would refuse it; what that could
    /// change is the print of a tree being changed under the export, which no print can name.
    /// </para>
    /// </summary>
    /// <param name="rootStatus">The root's status, just taken through <paramref name="rootDirectory"/>.</param>
    /// <param name="rootDirectory">The root, open for reading.</param>
    /// <param name="entries">How many entries the tree holds under its root.</param>
    public static string? OfKnown(LinuxFileSystem fs, byte[] root, in FileStatus rootStatus, int rootDirectory, PrintedTree known, out int entries)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(known);
        entries = 0;
        if (rootDirectory < 0 || !known.Entries[0].StillIs(rootStatus))
        {
            return null;
        }

        var records = new ForkedRecords();
        Append(records.Current, [], rootStatus, LinuxFileSystem.ListXattrsOf(rootDirectory, root));
        for (var i = 1; i < known.Entries.Count; i++)
        {
            var entry = known.Entries[i];
            if (!fs.TryStatAt(rootDirectory, entry.Path, root, out var status, out var xattrNames) || !entry.StillIs(status))
            {
                // Never forked: its one array goes back to the pool, as hashing would have given it.
                records.Current.Dispose();
                return null;
            }

            Append(records.Current, entry.Path, status, xattrNames);
        }

        entries = known.Entries.Count - 1;
        return records.Sha256();
    }
}
