using System.Security.Cryptography;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Layers;
using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Oci;

public sealed partial class OciLayout
{
    /// <summary>blobs/sha256/HEX (image-layout.md, "Blobs").</summary>
    /// <exception cref="ArgumentException">Not a sha256 digest.</exception>
    public string BlobPath(string digest) => string.Concat(BlobDirectory, "/", OciDigest.HexSpan(digest));

    // Made once: a warm export asks for some six blob paths a snapshot, and Path.Combine over four
    // parts, with the hex cut out as a string of its own, made two strings each time.
    private string BlobDirectory => _blobDirectory ??= Path.Combine(Root, "blobs", "sha256");

    private string? _blobDirectory;

    /// <summary>
    /// blobs/sha256 held open, for the calls a warm export makes on each blob by name
    /// (<see cref="DirectoryHandle"/>); null while it cannot be opened, and then they go by path.
    /// One descriptor a layout object at most, closed when the object is collected (a layout is not
    /// disposable; an O_PATH descriptor holds no data and no lock).
    /// </summary>
    internal DirectoryHandle? BlobDirectoryHandle => DirectoryHandle.Kept(ref _blobDirectoryHandle, BlobDirectory);

    private DirectoryHandle? _blobDirectoryHandle;

    /// <summary>
    /// Opens the blob of <paramref name="digest"/> for reading with open(2) alone (<see cref="PlainRead"/>),
    /// by its name in <see cref="BlobDirectoryHandle"/> when that is open, else by its path; null
    /// with <paramref name="errno"/> set when it cannot be opened.
    /// </summary>
    /// <exception cref="ArgumentException">Not a sha256 digest.</exception>
    internal PlainFile? TryOpenBlob(string digest, out int errno) =>
        DirectoryHandle.TryOpenFileIn(ref _blobDirectoryHandle, BlobDirectory, OciDigest.HexSpan(digest), out errno);

    /// <summary>Whether a blob of that digest is stored (its content is not re-checked).</summary>
    public bool HasBlob(string digest) => File.Exists(BlobPath(digest));

    /// <summary>
    /// <see cref="HasBlob"/>, answered without a stat for a blob this object put in place: the
    /// check an image makes of its layers and a tag of its manifest, both just placed in a bulk
    /// export (two stats a snapshot). Not a check that the bytes are still there.
    /// </summary>
    internal bool IsStored(string digest) => _placedHere.ContainsKey(digest) || HasBlob(digest);

    /// <summary>
    /// Stores a blob read from <paramref name="content"/>, checking its digest on the way. When a
    /// blob with that digest is already stored and its bytes match, nothing is read.
    /// </summary>
    /// <returns>The blob's size.</returns>
    /// <exception cref="InvalidDataException">The bytes do not have the expected digest; nothing is stored.</exception>
    public long AddBlob(Stream content, string expectedDigest)
    {
        ArgumentNullException.ThrowIfNull(content);
        var target = BlobPath(expectedDigest);
        if (TryVerify(target, expectedDigest, out var existing))
        {
            SyncExisting(target);
            return existing;
        }

        using var file = AtomicOutputFile.Create(target);
        string actual;
        long size;
        using (var digesting = new DigestingStream(file.Stream, leaveOpen: true))
        {
            content.CopyTo(digesting);
            actual = digesting.Digest;
            size = digesting.Length;
        }

        if (actual != expectedDigest)
        {
            throw new InvalidDataException($"blob {expectedDigest}: the content's digest is {actual}; nothing was stored");
        }

        file.Commit();
        return size;
    }

    /// <summary>
    /// Stores the file at <paramref name="path"/> as a blob. With <paramref name="move"/> the file is
    /// checked, made durable and renamed into place (copied when it is on another file system) and
    /// is gone afterwards, also when the blob was already stored; otherwise it is copied.
    /// </summary>
    /// <returns>The blob's size.</returns>
    /// <exception cref="InvalidDataException">The file does not have the expected digest; it is left where it is.</exception>
    public long AddBlobFile(string path, string expectedDigest, bool move = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var target = BlobPath(expectedDigest);
        if (TryVerify(target, expectedDigest, out var existing))
        {
            SyncExisting(target);
            if (move)
            {
                File.Delete(path);
            }

            return existing;
        }

        if (!move)
        {
            using var source = File.OpenRead(path);
            return AddBlob(source, expectedDigest);
        }

        long size;
        using (var source = File.OpenRead(path))
        {
            var actual = Sha256Text.FromHash(SHA256.HashData(source));
            if (actual != expectedDigest)
            {
                throw new InvalidDataException($"{path}: its digest is {actual}, not {expectedDigest}; it was not stored");
            }

            size = source.Length;
        }

        // The bytes must be on disk before the name says they are the blob.
        PathSync.Fsync(path, LibC.O_RDONLY, "open for fsync", "fsync");

        if (!FileRename.TryReplacing(path, target))
        {
            using (var source = File.OpenRead(path))
            {
                AddBlob(source, expectedDigest);
            }

            File.Delete(path);
            return size;
        }

        PathSync.Fsync(Path.GetDirectoryName(target)!, LibC.O_RDONLY | LibC.O_DIRECTORY, "open for fsync", "fsync");
        return size;
    }

    /// <summary>Stores a small document (a config, a manifest) and describes it.</summary>
    public OciDescriptor WriteBlob(string mediaType, ReadOnlySpan<byte> content)
    {
        ArgumentException.ThrowIfNullOrEmpty(mediaType);
        var digest = OciDigest.Of(content);
        var target = BlobPath(digest);
        if (TryVerify(target, digest, out _))
        {
            SyncExisting(target);
        }
        else
        {
            using var file = AtomicOutputFile.Create(target);
            file.Stream.Write(content);
            file.Commit();
        }

        return new OciDescriptor(mediaType, digest, content.Length);
    }

    /// <summary>
    /// True when the blob exists with the right bytes. A blob with wrong bytes (a copy by some other
    /// tool that went wrong) counts as absent, so that the verified new copy replaces it.
    /// </summary>
    private static bool TryVerify(string blob, string digest, out long size)
    {
        size = 0;
        // open(2) and pread(2) only (PlainRead). A FileStream takes a shared flock, which fails
        // ("being used by another process") while a writer of the same blob still holds the
        // temporary file it just renamed to this name open under its exclusive one: two jobs with
        // the same config, or two copies of one tree, in flight at once.
        using var handle = PlainRead.TryOpen(blob, out var errno);
        if (handle is null)
        {
            return PlainRead.IsMissing(errno) ? false : throw new FsException("open", blob, errno);
        }

        var (length, actual) = PlainRead.Sha256(handle, blob);
        size = length;
        return actual == digest;
    }

    /// <summary>
    /// A stored blob about to be relied on is fsynced with its directory first: it may be another
    /// writer's, renamed into place before its group's sync (<see cref="PendingBlobs"/>). On disk
    /// already, that costs little.
    /// </summary>
    private static void SyncExisting(string blob)
    {
        PathSync.Fsync(blob, LibC.O_RDONLY, "open for fsync", "fsync");
        PathSync.Fsync(Path.GetDirectoryName(blob)!, LibC.O_RDONLY | LibC.O_DIRECTORY, "open for fsync", "fsync");
    }
}
