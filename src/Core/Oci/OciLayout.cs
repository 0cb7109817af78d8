using System.Text;
using System.Text.Json;
using ParallelDiff.Core.Layers;

namespace ParallelDiff.Core.Oci;

/// <summary>
/// An OCI image layout directory (image-spec image-layout.md): an "oci-layout" marker, blobs
/// under blobs/sha256/HEX, and index.json listing the images. Every file appears complete or not at
/// all (temporary file, fsync, rename); index.json changes are serialised across processes by a lock.
/// </summary>
public sealed partial class OciLayout
{
    public const string LayoutVersion = "1.0.0";

    private OciLayout(string root) => Root = root;

    /// <summary>The layout directory, absolute.</summary>
    public string Root { get; }

    public string IndexPath => Path.Combine(Root, "index.json");

    /// <summary>The file whose flock serialises index.json updates.</summary>
    public string IndexLockPath => Path.Combine(Root, "index.json.lock");

    /// <summary>How long an index update waits for another writer before it gives up.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Opens a layout, creating the directory, "oci-layout" and an empty index.json if they are
    /// absent. Any number of processes may do this at once.
    /// </summary>
    /// <exception cref="InvalidDataException">oci-layout exists but is not a 1.0.0 layout marker.</exception>
    public static OciLayout Open(string directory, TimeSpan? lockTimeout = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var layout = new OciLayout(Path.GetFullPath(directory)) { LockTimeout = lockTimeout ?? TimeSpan.FromMinutes(2) };
        Directory.CreateDirectory(Path.Combine(layout.Root, "blobs", "sha256"));
        layout.EnsureMarker();
        if (!File.Exists(layout.IndexPath))
        {
            layout.EnsureIndex();
        }

        return layout;
    }

    private void EnsureMarker()
    {
        var marker = Path.Combine(Root, "oci-layout");
        if (!File.Exists(marker))
        {
            // Racing creators write the same bytes, and rename(2) makes either one the whole file.
            WriteAtomically(marker, Encoding.UTF8.GetBytes($"{{\"imageLayoutVersion\":\"{LayoutVersion}\"}}"));
            return;
        }

        string? version;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(marker));
            version = document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("imageLayoutVersion", out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString()
                : null;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{marker}: not JSON: {e.Message}", e);
        }

        if (version != LayoutVersion)
        {
            throw new InvalidDataException($"{marker}: imageLayoutVersion is {version ?? "missing"}; only {LayoutVersion} layouts are supported");
        }
    }

    private static void WriteAtomically(string path, ReadOnlySpan<byte> content)
    {
        using var file = AtomicOutputFile.Create(path);
        file.Stream.Write(content);
        file.Commit();
    }
}
