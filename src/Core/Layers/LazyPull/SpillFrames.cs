using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Layers.LazyPull;

/// <summary>
/// Where the <see cref="FrameCache"/> puts frames once its memory tier is full: one temporary file
/// that no directory names (O_TMPFILE, so a killed process leaves nothing behind), appended to with
/// pwrite and read back through a read-only mapping of it. Ten copies of an upper whose frames
/// outgrow cache.memory otherwise found only the frames the memory kept: 256 MiB of the 373 MiB of
/// many-small's, so every later copy compressed a third of its files again. The file lives in the
/// page cache while memory allows and the kernel can write it out and drop it when it needs the
/// room, which the memory tier's frames cannot do.
/// <para>
/// Opened on the first frame spilled, so a command whose frames fit in memory makes no file. A frame
/// is listed only after its bytes are written, so a reader never sees a partial one; nothing else
/// can open the file, so what is read back is what was written. A write that fails (a full disk)
/// stops the spilling and says why in <see cref="Stopped"/>: the cache then keeps what it has, and
/// layers come out the same, only slower.
/// </para>
/// </summary>
public sealed unsafe class SpillFrames(string directory, long capacity) : IDisposable
{
    private readonly ConcurrentDictionary<string, (long Offset, int Length, ulong? Crc64)> _frames = new(StringComparer.Ordinal);
    private readonly Lock _opening = new();
    private SafeFileHandle? _file;

    // The file mapped whole (read only) once made: a frame read back is a view of the page cache,
    // where pread cost a call and a copy for every frame of every later copy (a twentieth of one).
    // Only what was written is ever read, so nothing past the file's end is touched; null where
    // mmap fails, and then frames are read with pread.
    private byte* _map;
    private long _end;
    private string? _stopped;
    private int _hits;
    private int _full;

    /// <summary>The directory the file is made in (the system's temporary directory, unless a caller says).</summary>
    public string Directory { get; } = directory;

    /// <summary>The most bytes spilled (paralleldiff.cache.spill); past it frames are not kept.</summary>
    public long Capacity { get; } = capacity;

    /// <summary>Whether the file is mapped for reading (the default); false reads every frame with pread, as where mmap fails.</summary>
    internal bool MapFile { get; init; } = true;

    /// <summary>Bytes written to the file so far.</summary>
    public long Spilled => Math.Min(Interlocked.Read(ref _end), Capacity);

    /// <summary>Frames read back from the file.</summary>
    public int Hits => Volatile.Read(ref _hits);

    /// <summary>Why spilling stopped before <see cref="Capacity"/> (the file could not be made or written), or null.</summary>
    public string? Stopped => Volatile.Read(ref _stopped);

    /// <summary>Whether a frame was not kept for want of room, or spilling stopped: from then on the cache lacks frames it was given.</summary>
    public bool Refused => Volatile.Read(ref _full) != 0 || Stopped is not null;

    /// <summary>Keeps a frame unless the file is full or failed; false when it was not kept.</summary>
    public bool TryAdd(string key, ReadOnlySpan<byte> frame, ulong? crc64)
    {
        if (Stopped is not null || _frames.ContainsKey(key) || Open() is not { } file)
        {
            return false;
        }

        var offset = Interlocked.Add(ref _end, frame.Length) - frame.Length;
        if (offset + frame.Length > Capacity)
        {
            Volatile.Write(ref _full, 1);
            return false;
        }

        try
        {
            RandomAccess.Write(file, frame, offset);
        }
        catch (IOException e)
        {
            Stop($"cannot write {Describe()}: {e.Message}");
            return false;
        }

        return _frames.TryAdd(key, (offset, frame.Length, crc64));
    }

    /// <summary>A frame spilled before, read back; false when none is kept under <paramref name="key"/>.</summary>
    public bool TryGet(string key, out CachedFrame frame)
    {
        frame = default;
        if (!_frames.TryGetValue(key, out var at) || Volatile.Read(ref _file) is not { } file)
        {
            return false;
        }

        if (_map is not null)
        {
            Interlocked.Increment(ref _hits);
            frame = new CachedFrame(new MappedBytes(_map + at.Offset, at.Length).Memory, at.Crc64);
            return true;
        }

        var place = new SpilledFrame(this, at.Offset, at.Length);
        if (TryRead(file, place) is not { } bytes)
        {
            return false;
        }

        Interlocked.Increment(ref _hits);
        frame = new CachedFrame(bytes, at.Crc64, place);
        return true;
    }

    /// <summary>A frame's bytes read again from where <see cref="TryGet"/> found it.</summary>
    /// <exception cref="IOException">The file can no longer be read (the reason is in <see cref="Stopped"/> too).</exception>
    internal byte[] Read(SpilledFrame place) =>
        (Volatile.Read(ref _file) is { } file ? TryRead(file, place) : null) ?? throw new IOException(Stopped ?? $"{Describe()} is closed");

    private byte[]? TryRead(SafeFileHandle file, SpilledFrame place)
    {
        var bytes = GC.AllocateUninitializedArray<byte>(place.Length);
        try
        {
            if (RandomAccess.Read(file, bytes, place.Offset) == place.Length)
            {
                return bytes;
            }

            Stop($"{Describe()}: a frame read back short");
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            Stop($"cannot read {Describe()}: {e.Message}");
        }

        return null;
    }

    /// <summary>Unmaps and closes the file: no frame it gave may be used after.</summary>
    public void Dispose()
    {
        if (_map is not null)
        {
            LibC.Munmap(_map, (nuint)Capacity);
            _map = null;
        }

        _file?.Dispose();
    }

    private SafeFileHandle? Open()
    {
        if (Volatile.Read(ref _file) is { } open)
        {
            return open;
        }

        lock (_opening)
        {
            if (_file is null && Stopped is null)
            {
                var made = MakeUnnamed(out var why);
                if (made is null)
                {
                    Stop(why!);
                }
                else if (MapFile)
                {
                    var map = LibC.Mmap(null, (nuint)Capacity, LibC.PROT_READ, LibC.MAP_SHARED, (int)made.DangerousGetHandle(), 0);
                    _map = map == (void*)-1 ? null : (byte*)map;
                }

                Volatile.Write(ref _file, made);
            }

            return _file;
        }
    }

    /// <summary>An unnamed file in <see cref="Directory"/>: O_TMPFILE, or where the file system lacks it a new name unlinked at once.</summary>
    private unsafe SafeFileHandle? MakeUnnamed(out string? why)
    {
        using (var dir = new CPath(Encoding.UTF8.GetBytes(Directory)))
        {
            var fd = LibC.OpenAt(LibC.AT_FDCWD, dir.Pointer, LibC.O_TMPFILE | LibC.O_RDWR | LibC.O_CLOEXEC, 0x180);
            if (fd >= 0)
            {
                why = null;
                return new SafeFileHandle(fd, ownsHandle: true);
            }
        }

        var named = Path.Combine(Directory, $".paralleldiff-frames-{Environment.ProcessId}-{Guid.NewGuid():N}");
        using var path = new CPath(Encoding.UTF8.GetBytes(named));
        var fallback = LibC.OpenAt(LibC.AT_FDCWD, path.Pointer, LibC.O_CREAT | LibC.O_EXCL | LibC.O_RDWR | LibC.O_CLOEXEC | LibC.O_NOFOLLOW, 0x180);
        if (fallback < 0)
        {
            why = $"cannot make a file in {Directory}: {Errno.Describe(Marshal.GetLastPInvokeError())}";
            return null;
        }

        LibC.UnlinkAt(LibC.AT_FDCWD, path.Pointer, 0);
        why = null;
        return new SafeFileHandle(fallback, ownsHandle: true);
    }

    private void Stop(string why) => Interlocked.CompareExchange(ref _stopped, why, null);

    private string Describe() => $"the frame spill file in {Directory}";
}

/// <summary>Where a frame lies in a <see cref="SpillFrames"/> file: what a blob holding it back keeps instead of its bytes.</summary>
public readonly record struct SpilledFrame(SpillFrames File, long Offset, int Length)
{
    /// <summary>The frame's bytes, read again.</summary>
    /// <exception cref="IOException">The file can no longer be read.</exception>
    public byte[] Read() => File.Read(this);
}
