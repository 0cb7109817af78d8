using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;
using ParallelDiff.Core.Fs;

namespace ParallelDiff.Core.Snapshots;

/// <summary>
/// The merged view of a stack of overlay layers, resolved in user space without mounting, so the
/// tool works unprivileged wherever it can read the files. Lookups follow the kernel's rules
/// (fs/overlayfs/namei.c): the topmost entry wins; a whiteout (char 0/0, or an xwhiteout in an
/// opaque=x lower dir) hides the name; a non-directory ends the merge; an opaque=y directory stops
/// it; a redirect continues it at another path; a metacopy file takes its data from below.
/// </summary>
public sealed partial class OverlayStackTree : ISnapshotTree
{
    private readonly DirectoryTree[] _layers;
    private readonly bool[] _dataOnly;
    private readonly OverlayOptions _options;
    private readonly ConcurrentDictionary<byte[], ResolvedEntry> _directories = new(ByteArrayComparer.Instance);
    private readonly ConcurrentDictionary<byte[], ResolvedEntry>.AlternateLookup<ReadOnlySpan<byte>> _directoriesBySpan;

    /// <summary>
    /// Parents found absent (ENOENT) or not directories (ENOTDIR), with that errno: a new upper
    /// directory's many children are then looked up below without a system call each.
    /// </summary>
    private readonly ConcurrentDictionary<byte[], int> _notDirectories = new(ByteArrayComparer.Instance);
    private readonly ConcurrentDictionary<byte[], int>.AlternateLookup<ReadOnlySpan<byte>> _notDirectoriesBySpan;

    /// <summary>Non-directories resolved by recent listings (directories stay in <see cref="_directories"/>).</summary>
    private readonly RecentEntries<ResolvedEntry> _recentFiles = new(RecentFileCapacity);

    /// <summary>
    /// Enough to cover a listing's entries until the differ has described them and the read-ahead
    /// has opened them (a few thousand small files), at a few hundred bytes each.
    /// </summary>
    private const int RecentFileCapacity = 16384;

    /// <param name="layers">Top first, as in lowerdir=.</param>
    /// <remarks>
    /// An upperdir is read as the lower it becomes once committed (containerd and BuildKit view a
    /// snapshot as lowerdir=upper:lowers), so its xwhiteouts count too (vector 60).
    /// </remarks>
    public OverlayStackTree(IReadOnlyList<OverlayLayer> layers, OverlayOptions options, string role, IFileSystem? fs = null)
    {
        if (layers.Count == 0)
        {
            throw new SnapshotException($"{role}: an overlay stack needs at least one layer");
        }

        _options = options;
        _layers = new DirectoryTree[layers.Count];
        _dataOnly = new bool[layers.Count];
        for (var i = 0; i < layers.Count; i++)
        {
            _layers[i] = new DirectoryTree(layers[i].Path, layers[i].DataOnly ? $"data-only layer {i}" : $"layer {i}", fs);
            _dataOnly[i] = layers[i].DataOnly;
        }

        Description = $"{role} ({layers.Count} layers)";
        _directoriesBySpan = _directories.GetAlternateLookup<ReadOnlySpan<byte>>();
        _notDirectoriesBySpan = _notDirectories.GetAlternateLookup<ReadOnlySpan<byte>>();
        _directories[[]] = ResolveRoot();
    }

    public string Description { get; }

    public int LayerCount => _layers.Length;

    public bool TryLstat(ReadOnlySpan<byte> path, out FileStatus status, out int errno)
    {
        var entry = Lookup(path, out errno);
        status = entry?.Status ?? default;
        return entry is not null;
    }

    public IReadOnlyList<DirEntry> List(ReadOnlySpan<byte> directory)
    {
        var dir = Lookup(directory, out var errno) ?? throw new FsException("readdir", Locate(directory), errno);
        if (dir.Stack is null)
        {
            throw new FsException("readdir", Locate(directory), Errno.ENOTDIR);
        }

        // Each layer directory is listed once through its own descriptor, statuses and xattr names
        // included: resolving a name then asks no system call of a layer the name was listed in
        // (or absent from), and most xattr reads find their answer in the names.
        var listed = new Dictionary<byte[], DirEntry>?[_layers.Length];
        var names = new HashSet<byte[]>(ByteArrayComparer.Instance);
        foreach (var layerDir in dir.Stack)
        {
            var listing = new Dictionary<byte[], DirEntry>(ByteArrayComparer.Instance);
            foreach (var entry in _layers[layerDir.Layer].FileSystem.ListDirectory(layerDir.AbsolutePath, withXattrNames: true))
            {
                listing[entry.Name] = entry;
                names.Add(entry.Name);
            }

            listed[layerDir.Layer] = listing;
        }

        var sorted = names.ToList();
        sorted.Sort(PathBytes.NameOrder);
        var entries = new List<DirEntry>(sorted.Count);
        foreach (var name in sorted)
        {
            var path = PathBytes.Join(directory, name);
            var child = ResolveChild(dir, name, path, listed);
            if (child is not null)
            {
                entries.Add(new DirEntry(name, child.Status, child.XattrNames));
                if (child.Stack is null)
                {
                    _recentFiles.Remember(path, child);
                }
            }
        }

        return entries;
    }

    public byte[] ReadLink(ReadOnlySpan<byte> path) => LayerFs(path, out var abs).ReadLink(abs);

    /// <remarks>
    /// An entry resolved by a listing carries the xattr names read with it: an attribute it lacks
    /// (on most entries, security.capability, which every added file is asked for) needs no call.
    /// </remarks>
    public byte[]? GetXattr(ReadOnlySpan<byte> path, string name)
    {
        var fs = LayerFs(path, out var abs, out var names);
        return names is not null && !names.Contains(name) ? null : fs.GetXattr(abs, name);
    }

    public IReadOnlyList<string> ListXattrs(ReadOnlySpan<byte> path)
    {
        var fs = LayerFs(path, out var abs, out var names);
        return names ?? fs.ListXattrs(abs);
    }

    public SafeFileHandle OpenData(ReadOnlySpan<byte> path)
    {
        var entry = Lookup(path, out var errno) ?? throw new FsException("open", Locate(path), errno);
        return _layers[entry.Layer].FileSystem.OpenRead(entry.DataPath ?? entry.RealPath);
    }

    public SafeFileHandle OpenData(ReadOnlySpan<byte> path, LastDirectory lastDirectory)
    {
        var entry = Lookup(path, out var errno) ?? throw new FsException("open", Locate(path), errno);
        return _layers[entry.Layer].FileSystem.OpenRead(entry.DataPath ?? entry.RealPath, lastDirectory);
    }

    public string Locate(ReadOnlySpan<byte> path)
    {
        var entry = Lookup(path, out _);
        return entry is null ? $"{Description}:/{PathBytes.Display(path)}" : PathBytes.Display(entry.RealPath);
    }

    /// <summary>Which layer an entry comes from (0 = top), or -1 when absent.</summary>
    public int LayerOf(ReadOnlySpan<byte> path) => Lookup(path, out _)?.Layer ?? -1;

    private IFileSystem LayerFs(ReadOnlySpan<byte> path, out byte[] absolute) => LayerFs(path, out absolute, out _);

    /// <param name="xattrNames">The entry's xattr names when a listing read them, else null.</param>
    private IFileSystem LayerFs(ReadOnlySpan<byte> path, out byte[] absolute, out IReadOnlyList<string>? xattrNames)
    {
        var entry = Lookup(path, out var errno) ?? throw new FsException("lookup", Locate(path), errno);
        absolute = entry.RealPath;
        xattrNames = entry.XattrNames;
        return _layers[entry.Layer].FileSystem;
    }

    /// <summary>Resolves a path component by component; null with ENOENT or ENOTDIR when it is not visible.</summary>
    private ResolvedEntry? Lookup(ReadOnlySpan<byte> path, out int errno)
    {
        errno = 0;
        if (_directoriesBySpan.TryGetValue(path, out var cached) || _recentFiles.TryGet(path, out cached))
        {
            return cached;
        }

        var slash = path.LastIndexOf((byte)'/');
        var parentPath = slash < 0 ? ReadOnlySpan<byte>.Empty : path[..slash];
        if (_notDirectoriesBySpan.TryGetValue(parentPath, out errno))
        {
            return null;
        }

        var parent = Lookup(parentPath, out errno);
        if (parent is null || parent.Stack is null)
        {
            errno = parent is null ? errno : Errno.ENOTDIR;
            _notDirectoriesBySpan.TryAdd(parentPath, errno);
            return null;
        }

        var entry = ResolveChild(parent, path[(slash + 1)..].ToArray(), path.ToArray());
        if (entry is null)
        {
            errno = Errno.ENOENT;
        }

        return entry;
    }
}
