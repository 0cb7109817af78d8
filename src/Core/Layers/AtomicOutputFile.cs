using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Layers;

/// <summary>
/// Writes a file so that it appears complete or not at all. Bytes go to a temporary file beside
/// the target (same directory, hence same file system, so rename(2) is atomic); <see cref="Commit"/>
/// makes the data durable with fsync, renames it over the target and fsyncs the directory so the
/// new name survives a crash. Disposing without Commit deletes the temporary file: an interrupted
/// run never leaves a truncated blob under the final name.
/// </summary>
public sealed class AtomicOutputFile : IBlobTarget
{
    private readonly FileStream _stream;
    private readonly WritebackStream _writer;
    private bool _renamed;
    private bool _disposed;

    private AtomicOutputFile(string targetPath, string temporaryPath, FileStream stream, bool durable)
    {
        TargetPath = targetPath;
        TemporaryPath = temporaryPath;
        _stream = stream;
        _writer = new WritebackStream(stream);
        Durable = durable;
    }

    /// <summary>The absolute path the file will have after <see cref="Commit"/>.</summary>
    public string TargetPath { get; }

    /// <summary>The hidden file in the same directory that receives the bytes until then.</summary>
    public string TemporaryPath { get; }

    string IBlobTarget.Name => TargetPath;

    /// <summary>Where to write. It may be closed before Commit (for example by a wrapping stream).</summary>
    public Stream Stream => _writer;

    public bool IsCommitted => _renamed;

    /// <summary>
    /// Whether <see cref="Commit"/> fsyncs. Without, the file is still whole or absent under its name
    /// while the system runs, but a crash may leave it incomplete: for a file whose owner makes it
    /// durable later, such as a layer blob staged in an OCI layout and synced with a group of others.
    /// </summary>
    public bool Durable { get; }

    /// <param name="durable">False leaves the fsyncs to the caller (<see cref="Durable"/>).</param>
    /// <exception cref="IOException">The temporary file cannot be created; the message names it and the cause.</exception>
    public static AtomicOutputFile Create(string targetPath, bool durable = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(targetPath);
        var target = Path.GetFullPath(targetPath);
        var name = Path.GetFileName(target);
        if (name.Length == 0)
        {
            throw new ArgumentException($"{targetPath}: an output file path must name a file, not a directory", nameof(targetPath));
        }

        var temp = TempNames.Beside(target);
        try
        {
            // CreateNew: never reuse or follow something that already has the temporary name.
            var stream = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
            });
            return new AtomicOutputFile(target, temp, stream, durable);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{target}: cannot create the temporary file {temp}: {e.Message}", e);
        }
    }

    /// <summary>Makes the written bytes durable (unless not <see cref="Durable"/>) and gives them the target name, replacing any file there.</summary>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_renamed)
        {
            throw new InvalidOperationException($"{TargetPath}: already committed");
        }

        try
        {
            if (_stream.CanWrite)
            {
                _stream.Flush(flushToDisk: Durable);
                _stream.Dispose();
            }
            else if (Durable)
            {
                // Closed by a wrapping stream: its bytes reached the kernel at close, but fsync
                // still has to run; any descriptor of the file will do.
                PathSync.Fsync(TemporaryPath, LibC.O_RDONLY, "fsync (open)", "fsync");
            }
        }
        catch (IOException e) when (e is not FsException)
        {
            throw new IOException($"{TargetPath}: cannot flush the temporary file {TemporaryPath} to disk: {e.Message}", e);
        }

        FileRename.Replacing(TemporaryPath, TargetPath);
        _renamed = true;
        if (Durable)
        {
            PathSync.Fsync(Path.GetDirectoryName(TargetPath)!, LibC.O_RDONLY | LibC.O_DIRECTORY, "fsync directory (open)", "fsync directory");
        }
    }

    /// <summary>Closes the stream and, unless committed, deletes the temporary file.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            _stream.Dispose();
        }
        catch (IOException)
        {
            // Flushing a file about to be deleted may fail (disk full); deleting it is what matters.
        }

        if (!_renamed)
        {
            try
            {
                File.Delete(TemporaryPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Dispose must not throw; a leftover is hidden and named *.tmp-*, never the target.
            }
        }
    }

    /// <summary>
    /// Removes the temporary files that earlier writes of <paramref name="targetPath"/> left beside it
    /// (".NAME.tmp-…" after a kill -9 or a crash), except any that a process still holds open (a live
    /// writer's) or that changed in the last <see cref="LeftoverQuietTime"/> (a writer between closing
    /// its file and renaming it).
    /// </summary>
    /// <returns>The files removed.</returns>
    public static IReadOnlyList<string> RemoveLeftovers(string targetPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(targetPath);
        var target = Path.GetFullPath(targetPath);
        var directory = Path.GetDirectoryName(target);
        if (directory is null || !Directory.Exists(directory))
        {
            return [];
        }

        var prefix = $".{Path.GetFileName(target)}.tmp-";
        List<string> candidates;
        try
        {
            // Resolved, as the /proc/PID/fd links name open files.
            var canonical = System.Text.Encoding.UTF8.GetString(Snapshots.SnapshotPaths.CanonicalDirectory(directory, "output directory"));
            candidates = Directory.EnumerateFiles(canonical, prefix + "*").ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Snapshots.SnapshotException)
        {
            return [];
        }

        if (candidates.Count == 0)
        {
            return [];
        }

        var open = OpenFiles.All();
        var removed = new List<string>();
        foreach (var path in candidates)
        {
            try
            {
                if (open.Contains(path) || DateTime.UtcNow - File.GetLastWriteTimeUtc(path) < LeftoverQuietTime)
                {
                    continue;
                }

                File.Delete(path);
                removed.Add(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Someone else's, or gone meanwhile: a leftover is hidden and never read as the output.
            }
        }

        return removed;
    }

    /// <summary>How long a temporary file must have been left alone before it counts as a leftover.</summary>
    public static readonly TimeSpan LeftoverQuietTime = TimeSpan.FromSeconds(10);
}
