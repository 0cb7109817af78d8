using System.Security.Cryptography;
using ParallelDiff.Core.Fs;

namespace ParallelDiff.Core.Export;

/// <summary>
/// The <see cref="PrintedTree"/> of each small upper a --cache directory has printed, by the upper's
/// canonical path (.paralleldiff/trees/HEX, HEX the path's SHA-256), so that the next run prints it
/// by looking its paths up. A hint, never a verdict: a tree that no longer matches is walked, a
/// file that does not parse is ignored, and the print that names the layer is always made from
/// fresh stat data. Written in place without an fsync (a crash costs a walk, and a torn file fails
/// its checksum); like the layer records, one small file per upper, not trimmed with the blobs.
/// </summary>
public sealed class PrintedTrees(string cacheRoot)
{
    // The trees directory held open once it exists (DirectoryHandle): a warm export reads one file per snapshot.
    private DirectoryHandle? _handle;

    // Whether the cache's file system reads short only at a file's end (ShortReads.End), asked once:
    // then a tree is read in one call, not confirmed by an empty second one.
    private readonly Lazy<bool> _shortReadsEnd = new(() => ShortReads.End(PathBytes.FromString(cacheRoot)));

    /// <summary>Where the trees are kept.</summary>
    public string Directory { get; } = Path.Combine(cacheRoot, ".paralleldiff", "trees");

    /// <summary>The tree stored for <paramref name="root"/>; null when there is none, or none that parses.</summary>
    public PrintedTree? Read(byte[] root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var name = NameOf(root);
        var handle = DirectoryHandle.TryOpenFileIn(ref _handle, Directory, name, out _);
        if (handle is null)
        {
            return null;
        }

        try
        {
            using (handle)
            {
                using var bytes = PlainRead.ReadAllPooled(handle, Path.Combine(Directory, name), 4096, 1 << 20, _shortReadsEnd.Value);
                return bytes.IsNull ? null : PrintedTree.Parse(bytes.Span);
            }
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Keeps <paramref name="tree"/> for <paramref name="root"/>, replacing what was there; a failure only costs the next run a walk.</summary>
    public void Write(byte[] root, PrintedTree tree)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(tree);
        // Written in place (DirectoryHandle.TryReplaceFile): a reader that meets a torn or mixed
        // file fails its checksum and walks. Through a temporary file and a rename (AtomicOutputFile)
        // the 1,000 trees of a cold bulk export of small snapshots cost it 5 % more time.
        try
        {
            var trees = DirectoryHandle.Kept(ref _handle, Directory);
            if (trees is null)
            {
                System.IO.Directory.CreateDirectory(Directory);
                trees = DirectoryHandle.Kept(ref _handle, Directory);
            }

            // Not kept on failure: the next run walks this upper, as it would have anyway.
            _ = trees?.TryReplaceFile(NameOf(root), tree.ToBytes(), out _);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The directory could not be made: as above.
        }
    }

    private static string NameOf(byte[] root) => Convert.ToHexStringLower(SHA256.HashData(root));
}
