using System.Security.Cryptography;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Oci;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Oci;

/// <summary>
/// Blob writes whose fsyncs a group makes at once: synced only when the group syncs, never put in
/// the place of an existing blob before their bytes are on disk, and an existing blob kept as it is.
/// </summary>
public sealed class PendingBlobsTests : IDisposable
{
    private readonly ScratchDirectory _scratch = ScratchDirectory.Create("pd-pending-");
    private readonly List<string> _synced = [];

    public void Dispose() => _scratch.Dispose();

    private string Dir => Path.Combine(_scratch.Path, "layout");

    private string BlobDir => Path.Combine(Dir, "blobs", "sha256");

    private static string Sha256(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>A PendingBlobs that records its fsyncs ("file PATH", "dir PATH") instead of making them.</summary>
    private PendingBlobs Recording(OciLayout layout) =>
        new(layout, files => _synced.AddRange(files.Select(path => $"file {path}")), path => _synced.Add($"dir {path}"));

    private static ulong Inode(string path) =>
        LinuxFileSystem.Instance.TryLstat(PathBytes.FromString(path), out var status, out _) ? status.Inode : throw new FileNotFoundException(path);

    private string Stage(OciLayout layout, byte[] bytes)
    {
        var staging = Path.Combine(layout.Root, "blobs", "sha256", $".staging-test-{Guid.NewGuid():N}");
        File.WriteAllBytes(staging, bytes);
        return staging;
    }

    [Fact]
    public void WriteBlob_should_leave_its_fsyncs_to_the_groups_sync()
    {
        var layout = OciLayout.Open(Dir);
        var pending = Recording(layout);
        byte[] config = [1, 2, 3];
        byte[] manifest = [4, 5];

        layout.WriteBlob(OciMediaTypes.ImageConfig, config, pending);
        layout.WriteBlob(OciMediaTypes.ImageManifest, manifest, pending);

        Assert.Empty(_synced);
        Assert.Equal(config, File.ReadAllBytes(layout.BlobPath(Sha256(config))));
        Assert.Equal(2, pending.Files);

        pending.Sync();
        pending.Sync();

        Assert.Equal(
            new[] { $"file {layout.BlobPath(Sha256(config))}", $"file {layout.BlobPath(Sha256(manifest))}" }.Order(StringComparer.Ordinal),
            _synced.SkipLast(1).Order(StringComparer.Ordinal));
        Assert.Equal([$"dir {BlobDir}"], _synced.TakeLast(1));
        Assert.Equal(0, pending.Files);
        Assert.Equal([Sha256(config)[7..], Sha256(manifest)[7..]], Directory.GetFileSystemEntries(BlobDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void An_existing_blob_should_be_kept_not_rewritten_and_still_synced_with_the_group()
    {
        var layout = OciLayout.Open(Dir);
        byte[] bytes = [7, 7, 7];
        layout.WriteBlob(OciMediaTypes.ImageConfig, bytes);
        var inode = Inode(layout.BlobPath(Sha256(bytes)));
        var pending = Recording(layout);

        layout.WriteBlob(OciMediaTypes.ImageConfig, bytes, pending);
        var staging = Stage(layout, bytes);
        layout.AddStagedBlob(staging, Sha256(bytes), bytes.Length, pending);
        layout.WriteBlob(OciMediaTypes.ImageConfig, bytes);

        Assert.Equal(inode, Inode(layout.BlobPath(Sha256(bytes))));
        Assert.False(File.Exists(staging));
        // Perhaps another writer's, renamed in before its own group synced: this group syncs it too.
        pending.Sync();
        Assert.Equal([$"file {layout.BlobPath(Sha256(bytes))}", $"dir {BlobDir}"], _synced);
    }

    [Fact]
    public void A_wrong_blob_should_be_replaced_only_by_bytes_already_synced()
    {
        var layout = OciLayout.Open(Dir);
        byte[] bytes = [1, 2, 3, 4];
        File.WriteAllBytes(layout.BlobPath(Sha256(bytes)), [9, 9, 9, 9]);
        var pending = Recording(layout);
        var staging = Stage(layout, bytes);

        layout.AddStagedBlob(staging, Sha256(bytes), bytes.Length, pending);

        // The staged file itself was fsynced before it took the name; the name waits for the group.
        Assert.Equal([$"file {staging}"], _synced);
        Assert.Equal(bytes, File.ReadAllBytes(layout.BlobPath(Sha256(bytes))));
        pending.Sync();
        Assert.Equal([$"file {staging}", $"dir {BlobDir}"], _synced);
    }

    [Fact]
    public void AddStagedBlob_should_refuse_a_file_whose_size_is_not_the_described_one()
    {
        var layout = OciLayout.Open(Dir);
        var pending = Recording(layout);
        byte[] bytes = [1, 2, 3];
        var staging = Stage(layout, bytes);

        var e = Assert.Throws<InvalidDataException>(() => layout.AddStagedBlob(staging, Sha256(bytes), 4, pending));
        Assert.Throws<InvalidDataException>(() => layout.AddStagedBlob(staging, Sha256(bytes), 2));

        Assert.Contains(staging, e.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(staging));
        Assert.False(layout.HasBlob(Sha256(bytes)));
        Assert.Equal(0, pending.Files);
    }

    [Fact]
    public void A_failed_sync_should_fail_every_later_sync()
    {
        var layout = OciLayout.Open(Dir);
        var failures = 1;
        var pending = new PendingBlobs(
            layout,
            files => _ = failures-- > 0 ? throw new FsException("fsync", files.First(), 5) : 0,
            _ => { });
        layout.WriteBlob(OciMediaTypes.ImageConfig, [1], pending);

        Assert.Throws<FsException>(pending.Sync);
        layout.WriteBlob(OciMediaTypes.ImageConfig, [2], pending);

        // The kernel may report pages lost by the failed fsync as clean: nothing synced since is trusted.
        var e = Assert.Throws<FsException>(pending.Sync);
        Assert.Contains("earlier fsync", e.Message, StringComparison.Ordinal);
    }
}
