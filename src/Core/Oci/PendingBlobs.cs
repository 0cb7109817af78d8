using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Oci;

/// <summary>
/// Blobs of a layout whose bytes or names are not yet known to be on disk, made durable together.
/// A bulk export records its snapshots in groups; instead of an fsync of every blob file and of
/// blobs/sha256 after every rename (8 of a small snapshot's 10 fsyncs, on the thread that exports
/// the next one), its blobs are listed here and <see cref="Sync"/> runs once per group, before that
/// group's tags are written.
/// <para>
/// What keeps this honest: nothing names a listed blob (no tag, no journal line) before a Sync that
/// covers it has returned; and bytes not yet synced only ever take a new name (RENAME_NOREPLACE),
/// never the place of a blob that another writer may already have tagged. A crash before the Sync may
/// leave such a name with incomplete bytes; nothing points at it, and the next write of that digest
/// checks and replaces it.
/// </para>
/// </summary>
public sealed class PendingBlobs : IDisposable
{
    private readonly string _directory;
    private readonly Func<string, string> _blobPath;
    private readonly Action<IReadOnlyCollection<string>> _syncFiles;
    private readonly Action<string> _syncDirectory;
    private readonly FileSystemHandle? _fileSystem;
    private readonly Lock _gate = new();
    private readonly Lock _syncing = new();
    // The blobs' digests, not their paths: a path is a new string per blob (three a snapshot), and
    // the list lives until its group's sync, long enough for collections to copy it; the paths are
    // made only if the files are fsynced one by one (a group of fewer than BlobFileSync.SyncfsFrom).
    private HashSet<string> _digests = new(StringComparer.Ordinal);
    private bool _names;
    private Exception? _failed;

    /// <exception cref="FsException">blobs/sha256 cannot be opened.</exception>
    public PendingBlobs(OciLayout layout)
        : this(
            layout,
            files => { },
            path => PathSync.Fsync(path, LibC.O_RDONLY | LibC.O_DIRECTORY, "open for fsync", "fsync"))
    {
        // Opened now, before any blob of the group is written: syncfs reports the file system's
        // writeback errors since its descriptor's open.
        var fileSystem = new FileSystemHandle(_directory);
        _fileSystem = fileSystem;
        _syncFiles = files => BlobFileSync.All(files, fileSystem);
    }

    /// <param name="syncFiles">fsync of each of some blob files (tests record the calls).</param>
    /// <param name="syncDirectory">fsync of blobs/sha256.</param>
    internal PendingBlobs(OciLayout layout, Action<IReadOnlyCollection<string>> syncFiles, Action<string> syncDirectory)
    {
        ArgumentNullException.ThrowIfNull(layout);
        _directory = Path.Combine(layout.Root, "blobs", "sha256");
        _blobPath = layout.BlobPath;
        _syncFiles = syncFiles;
        _syncDirectory = syncDirectory;
    }

    /// <summary>Blob files listed and not yet synced.</summary>
    public int Files
    {
        get
        {
            lock (_gate)
            {
                return _digests.Count;
            }
        }
    }

    /// <summary>
    /// Makes every blob listed before the call durable: an fsync of each listed file, then one of
    /// blobs/sha256 for the names; or, for many files, one syncfs (<see cref="BlobFileSync"/>). A caller that comes while another syncs waits for it, since the
    /// blobs it needs may be among those being synced.
    /// </summary>
    /// <exception cref="FsException">An fsync failed. So does every later Sync: after a failed fsync
    /// the kernel may report the same lost pages clean, so nothing synced since can be trusted.</exception>
    public void Sync()
    {
        lock (_syncing)
        {
            if (_failed is not null)
            {
                throw new FsException($"{_directory}: an earlier fsync of the layout's blobs failed ({_failed.Message}); blobs written since are not known to be on disk", _failed);
            }

            HashSet<string> digests;
            bool names;
            lock (_gate)
            {
                (digests, names) = (_digests, _names);
                (_digests, _names) = (new HashSet<string>(StringComparer.Ordinal), false);
            }

            try
            {
                if (digests.Count > 0)
                {
                    _syncFiles(new BlobPaths(digests, _blobPath));
                }

                // Many files go out with one syncfs, which writes the directory out with them.
                var wholeFileSystem = _fileSystem is not null && digests.Count >= BlobFileSync.SyncfsFrom;
                if ((digests.Count > 0 || names) && !wholeFileSystem)
                {
                    _syncDirectory(_directory);
                }
            }
            catch (Exception e)
            {
                _failed = e;
                throw;
            }
        }
    }

    /// <summary>fsyncs one file now: bytes about to replace an existing blob cannot wait for the group.</summary>
    internal void SyncNow(string file) => _syncFiles([file]);

    public void Dispose() => _fileSystem?.Dispose();

    /// <summary>A blob whose bytes and name both wait for <see cref="Sync"/>.</summary>
    internal void AddBlob(string digest)
    {
        lock (_gate)
        {
            _digests.Add(digest);
        }
    }

    /// <summary>A blob whose bytes are on disk and whose name (a rename into blobs/sha256) waits for <see cref="Sync"/>.</summary>
    internal void AddName()
    {
        lock (_gate)
        {
            _names = true;
        }
    }

    /// <summary>The paths of some blobs, made from their digests as they are enumerated.</summary>
    private sealed class BlobPaths(HashSet<string> digests, Func<string, string> blobPath) : IReadOnlyCollection<string>
    {
        public int Count => digests.Count;

        public IEnumerator<string> GetEnumerator() => digests.Select(blobPath).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
