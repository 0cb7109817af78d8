using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Oci;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Oci;

/// <summary>The layout's files (image-layout.md) and how blobs get in: once, whole, and with the digest they claim.</summary>
public sealed class OciLayoutBlobTests : IDisposable
{
    private readonly ScratchDirectory _scratch = ScratchDirectory.Create("pd-oci-");

    public void Dispose() => _scratch.Dispose();

    private string Dir => Path.Combine(_scratch.Path, "layout");

    private string BlobDir => Path.Combine(Dir, "blobs", "sha256");

    private static string Sha256(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    private string[] BlobDirEntries() => Directory.GetFileSystemEntries(BlobDir).Select(Path.GetFileName).ToArray()!;

    [Fact]
    public void Open_should_create_the_marker_an_empty_index_and_the_blob_directory()
    {
        OciLayout.Open(Dir);

        Assert.Equal("""{"imageLayoutVersion":"1.0.0"}""", File.ReadAllText(Path.Combine(Dir, "oci-layout")));
        using var index = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "index.json")));
        Assert.Equal(2, index.RootElement.GetProperty("schemaVersion").GetInt32());
        Assert.Equal("application/vnd.oci.image.index.v1+json", index.RootElement.GetProperty("mediaType").GetString());
        Assert.Equal(0, index.RootElement.GetProperty("manifests").GetArrayLength());
        Assert.True(Directory.Exists(BlobDir));
    }

    [Fact]
    public void Open_should_keep_an_existing_index()
    {
        var layout = OciLayout.Open(Dir);
        var manifest = layout.WriteBlob("application/vnd.oci.image.manifest.v1+json", "{}"u8);
        layout.Tag(manifest, "kept");

        Assert.Equal(manifest.Digest, OciLayout.Open(Dir).FindManifest("kept")?.Digest);
    }

    [Theory]
    [InlineData("""{"imageLayoutVersion":"2.0.0"}""", "imageLayoutVersion is 2.0.0")]
    [InlineData("""{}""", "imageLayoutVersion is missing")]
    [InlineData("nonsense", "not JSON")]
    public void Open_should_refuse_a_marker_of_another_layout(string marker, string cause)
    {
        Directory.CreateDirectory(Dir);
        File.WriteAllText(Path.Combine(Dir, "oci-layout"), marker);

        var e = Assert.Throws<InvalidDataException>(() => OciLayout.Open(Dir));

        Assert.Contains(cause, e.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(Dir, "oci-layout"), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_blob_another_writer_just_renamed_in_and_still_holds_open_should_be_taken_as_stored()
    {
        // Two jobs with the same config in flight at once: the first writer renames its temporary
        // file to the blob's name while it still holds it open under an exclusive flock
        // (FileShare.None); the second finds the name taken and checks the bytes there.
        var layout = OciLayout.Open(Dir);
        var content = Encoding.UTF8.GetBytes("{\"config\":\"the same\"}");
        var target = layout.BlobPath(Sha256(content));
        var temporary = target + ".tmp-other-writer";
        using (var other = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            other.Write(content);
            other.Flush();
            File.Move(temporary, target);

            var stored = layout.WriteBlob(OciMediaTypes.ImageConfig, content);
            Assert.Equal(Sha256(content), stored.Digest);
        }

        Assert.Equal(content, File.ReadAllBytes(target));
    }

    [Fact]
    public void BlobPath_should_be_blobs_sha256_hex()
    {
        var layout = OciLayout.Open(Dir);
        var digest = "sha256:" + new string('a', 64);

        Assert.Equal(Path.Combine(BlobDir, new string('a', 64)), layout.BlobPath(digest));
        Assert.False(layout.HasBlob(digest));
    }

    [Theory]
    [InlineData("sha512:abc")]
    [InlineData("sha256:ABCDEF0000000000000000000000000000000000000000000000000000000000")]
    [InlineData("sha256:abc")]
    [InlineData("sha256:../../../../etc/passwd00000000000000000000000000000000000000")]
    [InlineData("abcdef")]
    public void BlobPath_should_refuse_anything_but_a_sha256_digest(string digest) =>
        Assert.Throws<ArgumentException>(() => OciLayout.Open(Dir).BlobPath(digest));

    [Fact]
    public void WriteBlob_should_store_the_bytes_under_their_digest()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"hello":"world"}""");

        var descriptor = OciLayout.Open(Dir).WriteBlob("application/json", bytes);

        Assert.Equal(new OciDescriptor("application/json", Sha256(bytes), bytes.Length), descriptor);
        Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(BlobDir, Sha256(bytes)[7..])));
    }

    [Fact]
    public void The_same_blob_added_twice_should_be_stored_once_without_reading_the_second_copy()
    {
        var layout = OciLayout.Open(Dir);
        var bytes = RandomNumberGenerator.GetBytes(100_000);

        Assert.Equal(bytes.Length, layout.AddBlob(new MemoryStream(bytes), Sha256(bytes)));
        Assert.Equal(bytes.Length, layout.AddBlob(new UnreadableStream(), Sha256(bytes)));
        layout.WriteBlob("application/octet-stream", bytes);

        Assert.Equal([Sha256(bytes)[7..]], BlobDirEntries());
    }

    [Fact]
    public void A_blob_whose_bytes_do_not_match_should_not_be_stored()
    {
        var layout = OciLayout.Open(Dir);
        var claimed = Sha256([1, 2, 3]);

        var e = Assert.Throws<InvalidDataException>(() => layout.AddBlob(new MemoryStream([1, 2, 4]), claimed));

        Assert.Contains(claimed, e.Message, StringComparison.Ordinal);
        Assert.Empty(BlobDirEntries());
    }

    [Fact]
    public void A_stored_blob_with_wrong_bytes_should_be_replaced_by_a_verified_copy()
    {
        var layout = OciLayout.Open(Dir);
        byte[] bytes = [1, 2, 3];
        File.WriteAllBytes(layout.BlobPath(Sha256(bytes)), [9, 9]);

        layout.AddBlob(new MemoryStream(bytes), Sha256(bytes));

        Assert.Equal(bytes, File.ReadAllBytes(layout.BlobPath(Sha256(bytes))));
    }

    [Fact]
    public void AddBlobFile_should_move_a_file_into_place_or_drop_it_when_the_blob_is_stored()
    {
        var layout = OciLayout.Open(Dir);
        var bytes = RandomNumberGenerator.GetBytes(70_000);
        var first = Path.Combine(_scratch.Path, "layer1.tar.gz");
        var second = Path.Combine(_scratch.Path, "layer2.tar.gz");
        File.WriteAllBytes(first, bytes);
        File.WriteAllBytes(second, bytes);

        Assert.Equal(bytes.Length, layout.AddBlobFile(first, Sha256(bytes), move: true));
        Assert.Equal(bytes.Length, layout.AddBlobFile(second, Sha256(bytes), move: true));

        Assert.False(File.Exists(first));
        Assert.False(File.Exists(second));
        Assert.Equal(bytes, File.ReadAllBytes(layout.BlobPath(Sha256(bytes))));
        Assert.Equal([Sha256(bytes)[7..]], BlobDirEntries());
    }

    [Fact]
    public void AddBlobFile_should_leave_a_file_with_the_wrong_digest_where_it_is()
    {
        var layout = OciLayout.Open(Dir);
        var source = Path.Combine(_scratch.Path, "layer.tar");
        File.WriteAllBytes(source, [5, 6, 7]);

        Assert.Throws<InvalidDataException>(() => layout.AddBlobFile(source, Sha256([5, 6]), move: true));

        Assert.True(File.Exists(source));
        Assert.Empty(BlobDirEntries());
    }

    [Fact]
    public void AddBlobFile_without_move_should_copy()
    {
        var layout = OciLayout.Open(Dir);
        var source = Path.Combine(_scratch.Path, "layer.tar");
        File.WriteAllBytes(source, [5, 6, 7]);

        layout.AddBlobFile(source, Sha256([5, 6, 7]));

        Assert.True(File.Exists(source));
        Assert.True(layout.HasBlob(Sha256([5, 6, 7])));
    }

    [Fact]
    public void AddBlobFile_should_copy_across_file_systems()
    {
        // /dev/shm is a tmpfs; when the temp directory is on another file system, rename(2) fails
        // with EXDEV and the blob must be copied instead.
        var fs = LinuxFileSystem.Instance;
        if (!Directory.Exists("/dev/shm")
            || !fs.TryLstat(PathBytes.FromString("/dev/shm"), out var shm, out _)
            || !fs.TryLstat(PathBytes.FromString(_scratch.Path), out var tmp, out _)
            || shm.Device == tmp.Device)
        {
            return;
        }

        var layout = OciLayout.Open(Dir);
        var source = Path.Combine("/dev/shm", $"pd-oci-{Guid.NewGuid():N}");
        File.WriteAllBytes(source, [1, 1, 2, 3, 5]);

        layout.AddBlobFile(source, Sha256([1, 1, 2, 3, 5]), move: true);

        Assert.False(File.Exists(source));
        Assert.Equal([1, 1, 2, 3, 5], File.ReadAllBytes(layout.BlobPath(Sha256([1, 1, 2, 3, 5]))));
    }

    /// <summary>A stream that fails the test if anyone reads it.</summary>
    private sealed class UnreadableStream : MemoryStream
    {
        public override int Read(byte[] buffer, int offset, int count) => throw new InvalidOperationException("read");

        public override int Read(Span<byte> buffer) => throw new InvalidOperationException("read");
    }
}
