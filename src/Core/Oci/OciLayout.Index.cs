using System.Text.Json;
using System.Text.RegularExpressions;

namespace ParallelDiff.Core.Oci;

public sealed partial class OciLayout
{
    private volatile int _indexSizeGuess = 4096;

    // index.json as this object last left it in ref-name order: the file's lstat after the rename
    // and its entries as written, read and written only under the index lock. While the file is
    // still that one (index.json is only ever replaced by rename, so another writer's index is
    // another inode, and a change moves ctime), the next group's tags are added to the kept entries
    // without reading the file, and the closing sort of an export has nothing to do: parsing a
    // 1,000-entry index to find that out was 3-6 ms at the end of a warm export of 1,000 snapshots.
    private (Fs.FileStatus Status, OrderedIndex Index)? _ordered;

    /// <summary>The manifests index.json lists, in its order.</summary>
    /// <exception cref="InvalidDataException">index.json is not an OCI image index.</exception>
    public IReadOnlyList<OciDescriptor> Manifests()
    {
        // index.json is only ever replaced by rename(2), so a reader needs no lock.
        using var index = ReadIndex();
        return index.RootElement.GetProperty("manifests").EnumerateArray()
            .Select((m, i) => OciDescriptor.FromJson(m, $"{IndexPath}: manifests[{i}]")).ToList();
    }

    /// <summary>The manifest tagged <paramref name="refName"/>, or null.</summary>
    public OciDescriptor? FindManifest(string refName) =>
        Manifests().LastOrDefault(m => m.Annotations?.GetValueOrDefault(OciMediaTypes.RefNameAnnotation) == refName);

    /// <summary>
    /// Lists <paramref name="manifest"/> in index.json under <paramref name="refName"/> (the
    /// org.opencontainers.image.ref.name annotation), replacing whatever had that name before.
    /// Entries this type does not model are kept as they are.
    /// </summary>
    /// <exception cref="ArgumentException">A ref name outside image-layout.md's grammar.</exception>
    /// <exception cref="InvalidOperationException">The manifest blob is not in the layout.</exception>
    /// <exception cref="TimeoutException">Another writer held the index lock longer than <see cref="LockTimeout"/>.</exception>
    public void Tag(OciDescriptor manifest, string refName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(refName);
        if (!RefNameGrammar().IsMatch(refName))
        {
            throw new ArgumentException(NotARefName(refName), nameof(refName));
        }

        Tag([(manifest, refName)], cancellationToken);
    }

    /// <summary>
    /// Tags several manifests in one update of index.json (one read, one atomic write), in their
    /// order, each as <see cref="Tag(OciDescriptor, string, CancellationToken)"/> would. Every tag is
    /// checked before the index changes, so a bad one leaves the index as it was.
    /// </summary>
    /// <exception cref="ArgumentException">A ref name outside image-layout.md's grammar.</exception>
    /// <exception cref="InvalidOperationException">A manifest blob is not in the layout.</exception>
    /// <exception cref="TimeoutException">Another writer held the index lock longer than <see cref="LockTimeout"/>.</exception>
    public void Tag(IReadOnlyList<(OciDescriptor Manifest, string RefName)> tags, CancellationToken cancellationToken = default) =>
        Tag(tags, inRefNameOrder: false, cancellationToken);

    /// <summary>
    /// <see cref="Tag(IReadOnlyList{ValueTuple{OciDescriptor, string}}, CancellationToken)"/>, with the whole index then put in ref-name order
    /// in the same write: the bytes a tag and then Export.LayoutIndexOrder's sort would leave, for one
    /// rewrite of index.json instead of two (a bulk export's last group).
    /// </summary>
    public void TagInRefNameOrder(IReadOnlyList<(OciDescriptor Manifest, string RefName)> tags, CancellationToken cancellationToken = default) =>
        Tag(tags, inRefNameOrder: true, cancellationToken);

    private void Tag(IReadOnlyList<(OciDescriptor Manifest, string RefName)> tags, bool inRefNameOrder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var entries = new List<OciDescriptor>(tags.Count);
        foreach (var (manifest, refName) in tags)
        {
            if (!RefNameGrammar().IsMatch(refName))
            {
                throw new ArgumentException(NotARefName(refName), nameof(tags));
            }

            if (!IsStored(manifest.Digest))
            {
                throw new InvalidOperationException($"{Root}: the manifest {manifest.Digest} is not stored in the layout; store it before tagging it");
            }

            var annotations = new Dictionary<string, string>(manifest.Annotations ?? new Dictionary<string, string>(), StringComparer.Ordinal)
            {
                [OciMediaTypes.RefNameAnnotation] = refName,
            };
            entries.Add(manifest with { Annotations = annotations });
        }

        // A name tagged twice keeps its last manifest, as two Tag calls in a row would leave it.
        var lastOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < tags.Count; i++)
        {
            lastOf[tags[i].RefName] = i;
        }

        var last = entries.Where((_, i) => lastOf[tags[i].RefName] == i).ToList();
        using var held = IndexLock.Acquire(IndexLockPath, LockTimeout, cancellationToken);
        // One pass over the index for the whole group: a bulk export's index holds thousands. Read
        // and written in pooled buffers: as new arrays, two of a quarter megabyte a group were
        // fresh memory (page faults) and, being large objects, brought on full collections.
        using var output = new PooledBufferWriter(_indexSizeGuess + 1024);
        if (inRefNameOrder)
        {
            var ordered = (_ordered is { } kept && IndexStatus() == kept.Status ? kept.Index : ReadOrdered()).With(last);
            ordered.WriteTo(output);
            WriteAtomically(IndexPath, output.WrittenSpan);
            _ordered = IndexStatus() is { } status ? (status, ordered) : null;
        }
        else
        {
            using var bytes = ReadIndexBytes();
            using var index = IndexDocument.Parse(bytes.Memory, IndexPath);
            IndexDocument.WithEntries(index.RootElement, last, output);
            WriteAtomically(IndexPath, output.WrittenSpan);
            _ordered = null;
        }

        _indexSizeGuess = output.WrittenCount;
    }

    /// <summary>index.json as it is now (another writer's, or this object's before it kept one), with its entries as they are written.</summary>
    private OrderedIndex ReadOrdered()
    {
        using var bytes = ReadIndexBytes();
        using var index = IndexDocument.Parse(bytes.Memory, IndexPath);
        return OrderedIndex.Of(index.RootElement);
    }

    /// <summary>
    /// Puts index.json's manifests in ref-name order (<see cref="IndexDocument.InRefNameOrder"/>), under
    /// the index lock like a tag; rewrites it only when the order changes.
    /// </summary>
    /// <returns>Whether index.json was rewritten.</returns>
    /// <exception cref="InvalidDataException">index.json is not an OCI image index.</exception>
    internal bool SortIndexByRefName(CancellationToken cancellationToken)
    {
        using var held = IndexLock.Acquire(IndexLockPath, LockTimeout, cancellationToken);
        if (_ordered is { } ordered && IndexStatus() == ordered.Status)
        {
            return false;
        }

        // A JsonDocument, not a JsonNode tree: for a 1,000-snapshot export the tree (a dictionary per
        // manifest, built to be sorted and written once) was a tenth of a warm run's CPU.
        using var index = IndexDocument.Parse(File.ReadAllBytes(IndexPath), IndexPath);
        if (IndexDocument.InRefNameOrder(index.RootElement) is not { } sorted)
        {
            return false;
        }

        WriteAtomically(IndexPath, sorted);
        // Kept from the parse already made: with no tags added, the entries in order are the sorted bytes' (OrderedIndexTests).
        _ordered = IndexStatus() is { } status ? (status, OrderedIndex.Of(index.RootElement).With([])) : null;
        return true;
    }

    /// <summary>index.json's lstat, or null when it cannot be taken (then nothing is assumed of it).</summary>
    private Fs.FileStatus? IndexStatus() =>
        Fs.LinuxFileSystem.Instance.TryLstat(System.Text.Encoding.UTF8.GetBytes(IndexPath), out var status, out _) ? status : null;

    /// <summary>Writes an empty index unless another writer did first (checked under the lock, so an existing index is never rewritten).</summary>
    private void EnsureIndex()
    {
        using var held = IndexLock.Acquire(IndexLockPath, LockTimeout, CancellationToken.None);
        if (!File.Exists(IndexPath))
        {
            WriteAtomically(IndexPath, IndexDocument.Empty());
        }
    }

    /// <summary>index.json, parsed and checked; an empty index when it is absent.</summary>
    /// <exception cref="InvalidDataException">index.json is not an OCI image index.</exception>
    private JsonDocument ReadIndex()
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(IndexPath);
        }
        catch (FileNotFoundException)
        {
            bytes = IndexDocument.Empty();
        }

        return IndexDocument.Parse(bytes, IndexPath);
    }

    /// <summary>index.json's bytes in a pooled buffer (an empty index when it is absent), for a rewrite.</summary>
    /// <exception cref="Fs.FsException">It cannot be opened or read.</exception>
    private Fs.PooledBytes ReadIndexBytes()
    {
        using var handle = Fs.PlainRead.TryOpen(IndexPath, out var errno);
        if (handle is null)
        {
            if (errno != Fs.Errno.ENOENT)
            {
                throw new Fs.FsException("open", IndexPath, errno);
            }

            var empty = IndexDocument.Empty();
            var pooled = System.Buffers.ArrayPool<byte>.Shared.Rent(empty.Length);
            empty.CopyTo(pooled, 0);
            return new Fs.PooledBytes(pooled, empty.Length);
        }

        // Sized to what this object wrote last, so that the index it left reads in one call.
        return Fs.PlainRead.ReadAllPooled(handle, IndexPath, _indexSizeGuess);
    }

    private static string NotARefName(string refName) =>
        $"\"{refName}\" is not a valid ref name (image-layout.md: components of [A-Za-z0-9] joined by one of -._:@+ or --, separated by /)";

    /// <summary>image-layout.md, "index.json": ref ::= component ("/" component)*; component ::= alphanum (separator alphanum)*.</summary>
    [GeneratedRegex(@"^[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*(?:/[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*)*$")]
    private static partial Regex RefNameGrammar();
}
