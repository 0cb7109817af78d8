using ParallelDiff.Core.Diff;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Snapshots;
using ParallelDiff.Core.Tar;

namespace ParallelDiff.Core.Layers;

/// <summary>
/// containerd's ChangeWriter (pkg/archive/tar.go HandleChange, spec §3.1): turns changes, in the
/// differ's order, into tar entries. It injects missing parent directories before their first
/// child, writes whiteouts, keys hard links by inode (the first emitted name is the source), and
/// skips sockets. Sequential by nature: the order of its input decides its output.
/// </summary>
public sealed class ChangeWriter : IChangeSink
{
    private readonly ILayerEntrySink _output;
    private readonly ISnapshotTree _parents;
    private readonly ChangeWriterOptions _options;
    private readonly HashSet<byte[]> _addedDirectories = new(ByteArrayComparer.Instance);
    private readonly Dictionary<(ulong Device, ulong Inode), byte[]> _linkSources = [];
    private readonly Dictionary<(ulong Device, ulong Inode), List<byte[]>> _pendingLinks = [];

    /// <param name="parents">The tree whose directories are stat'ed for injected parents (the new tree).</param>
    public ChangeWriter(ILayerEntrySink output, ISnapshotTree parents, ChangeWriterOptions options)
    {
        _output = output;
        _parents = parents;
        _options = options;
    }

    public int EntriesWritten { get; private set; }

    public void Handle(Change change)
    {
        if (change.Kind == ChangeKind.Delete)
        {
            WriteWhiteout(change.Path);
            return;
        }

        if (change.Status.Kind == FileKind.Socket)
        {
            // containerd skips sockets: no entry and no parent injection (spec §9 #28).
            return;
        }

        var name = TarName(change.Path, change.Status.IsDirectory);
        var header = HeaderFor(name, change);
        List<byte[]>? additional = null;
        if (change.Status.IsHardLinked)
        {
            var key = (change.Status.Device, change.Status.Inode);
            if (_linkSources.TryGetValue(key, out var source))
            {
                header = LinkTo(header, name, source);
            }
            else if (change.Kind == ChangeKind.Unmodified)
            {
                // An unchanged name is written only as a link, once its group has a source.
                if (!_pendingLinks.TryGetValue(key, out var pending))
                {
                    _pendingLinks[key] = pending = [];
                }

                pending.Add(name);
                return;
            }
            else
            {
                _linkSources[key] = name;
                if (_pendingLinks.Remove(key, out var waiting))
                {
                    additional = waiting;
                }
            }
        }
        else if (change.Kind == ChangeKind.Unmodified)
        {
            return;
        }

        Emit(header, change.Source, change.Path, change.Status);
        if (additional is not null)
        {
            foreach (var extra in additional)
            {
                Emit(LinkTo(header, extra, name), null, null);
            }
        }
    }

    private void Emit(TarHeader header, ISnapshotTree? source, byte[]? path, FileStatus? status = null)
    {
        IncludeParents(header);
        var hasData = header.Type == TarEntryType.Regular && header.Size > 0;
        _output.Write(new LayerEntry(header, hasData ? source : null, hasData ? path : null) { DataStatus = hasData ? status : null });
        EntriesWritten++;
    }

    private TarHeader HeaderFor(byte[] name, Change change)
    {
        var st = change.Status;
        var mtime = st.MtimeSeconds;
        if (_options.ModTimeUpperBound is { } bound && (mtime > bound || (mtime == bound && st.MtimeNanoseconds > 0)))
        {
            mtime = bound;
        }

        var device = st.Kind is FileKind.CharDevice or FileKind.BlockDevice;
        return new TarHeader
        {
            Name = name,
            Type = TypeOf(st.Kind),
            Mode = st.Mode,
            Uid = st.Uid,
            Gid = st.Gid,
            Size = st.Kind == FileKind.Regular ? st.Size : 0,
            MtimeSeconds = mtime,
            LinkName = change.LinkTarget ?? [],
            DevMajor = device ? st.RdevMajor : 0,
            DevMinor = device ? st.RdevMinor : 0,
            Xattrs = change.Xattrs,
        };
    }

    private static TarHeader LinkTo(TarHeader header, byte[] name, byte[] source) => new()
    {
        Name = name,
        Type = TarEntryType.HardLink,
        Mode = header.Mode,
        Uid = header.Uid,
        Gid = header.Gid,
        Size = 0,
        MtimeSeconds = header.MtimeSeconds,
        LinkName = source,
        DevMajor = header.DevMajor,
        DevMinor = header.DevMinor,
        Xattrs = header.Xattrs,
    };

    /// <summary>A whiteout: a regular, empty "dir/.wh.name" with mode, owner and mtime 0 (containerd v2, spec §3.4).</summary>
    private void WriteWhiteout(byte[] path)
    {
        var parent = PathBytes.Parent(path);
        var name = PathBytes.Join(parent, [.. ".wh."u8, .. PathBytes.BaseName(path)]);
        Emit(new TarHeader { Name = name, Type = TarEntryType.Regular }, null, null);
    }

    /// <summary>
    /// containerd includeParents (spec §3.5): before any entry, its missing ancestors are written
    /// outermost first with the new tree's current metadata.
    /// </summary>
    private void IncludeParents(TarHeader header)
    {
        var name = header.Name.AsSpan().TrimEnd((byte)'/');
        var parent = PathBytes.Parent(name);
        if (!parent.IsEmpty && !_addedDirectories.Contains(parent.ToArray()))
        {
            var parentPath = parent.ToArray();
            _addedDirectories.Add(parentPath);
            if (!_parents.TryLstat(parentPath, out var st, out var errno))
            {
                throw new FsException("stat parent", _parents.Locate(parentPath), errno);
            }

            Handle(EntryDetails.Describe(ChangeKind.Modify, parentPath, st, _parents, _options.Xattrs));
        }

        if (header.Type == TarEntryType.Directory)
        {
            _addedDirectories.Add(name.ToArray());
        }
    }

    private static byte[] TarName(byte[] path, bool directory) => directory ? [.. path, (byte)'/'] : path;

    private static TarEntryType TypeOf(FileKind kind) => kind switch
    {
        FileKind.Regular => TarEntryType.Regular,
        FileKind.Directory => TarEntryType.Directory,
        FileKind.Symlink => TarEntryType.Symlink,
        FileKind.CharDevice => TarEntryType.CharDevice,
        FileKind.BlockDevice => TarEntryType.BlockDevice,
        FileKind.Fifo => TarEntryType.Fifo,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no tar type"),
    };
}
