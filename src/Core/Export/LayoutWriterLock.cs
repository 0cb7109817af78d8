namespace ParallelDiff.Core.Export;

/// <summary>
/// The one export that may write a layout's index.json and journal: an exclusive lock on
/// .paralleldiff/writer.lock, held while the export runs. A cluster export's coordinator takes it
/// before it hands out a job, so that two coordinators (one on each side of a network partition,
/// or a rerun started while the first still runs) cannot both tag one layout; the second fails at
/// once. The lock is flock(2), which NFSv4 and the cluster file systems carry across machines.
/// </summary>
public sealed class LayoutWriterLock : IDisposable
{
    private readonly FileStream _file;

    private LayoutWriterLock(FileStream file) => _file = file;

    /// <exception cref="IOException">Another export holds the layout.</exception>
    public static LayoutWriterLock Take(Oci.OciLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var folder = Path.Combine(layout.Root, ".paralleldiff");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "writer.lock");
        try
        {
            return new LayoutWriterLock(Fs.ExclusiveFile.Open(path));
        }
        catch (IOException e)
        {
            throw new IOException($"{layout.Root}: another export is writing this layout (it holds {path}): {e.Message}", e);
        }
    }

    public void Dispose() => _file.Dispose();
}
