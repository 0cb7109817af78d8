using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Native;

namespace ParallelDiff.Core.Tests.Apply;

/// <summary>
/// Builds a layer directory from a vector's snapshot.json entries, as the vectors' own
/// materialize.py create_tree does: create each entry owner-only, chown, chmod, xattrs, and set
/// every time last (children before parents) so creating entries does not disturb them. Root only.
/// </summary>
public static unsafe class SnapshotMaterializer
{
    public static void Create(string root, JsonElement entries)
    {
        var rootBytes = Encoding.UTF8.GetBytes(root);
        var times = new List<(byte[] Path, long Ns)>();
        foreach (var e in entries.EnumerateArray())
        {
            var rel = RoundTripJson.Bytes(e, "path")!;
            var path = rel.AsSpan().SequenceEqual("."u8) ? rootBytes : PathBytes.Join(rootBytes, rel);
            var type = e.GetProperty("type").GetString();
            if (type == "hardlink")
            {
                Check(Link(PathBytes.Join(rootBytes, RoundTripJson.Bytes(e, "target")!), path), "link", path);
                continue;
            }

            using (var c = new CPath(path))
            {
                var rdev = e.TryGetProperty("rdev", out var r) ? LibC.MakeDev(r.GetProperty("major").GetUInt32(), r.GetProperty("minor").GetUInt32()) : 0;
                var rc = type switch
                {
                    _ when rel.AsSpan().SequenceEqual("."u8) => 0,
                    "dir" => LibC.MkdirAt(LibC.AT_FDCWD, c.Pointer, 0x1C0),
                    "file" => WriteContent(path, e.GetProperty("content")),
                    "symlink" => Symlink(RoundTripJson.Bytes(e, "target")!, c.Pointer),
                    "whiteout" or "char" => LibC.MknodAt(LibC.AT_FDCWD, c.Pointer, 0x2000 | 0x180, rdev),
                    "block" => LibC.MknodAt(LibC.AT_FDCWD, c.Pointer, 0x6000 | 0x180, rdev),
                    "fifo" => LibC.MknodAt(LibC.AT_FDCWD, c.Pointer, 0x1000 | 0x180, 0),
                    "socket" => LibC.MknodAt(LibC.AT_FDCWD, c.Pointer, 0xC000 | 0x180, 0),
                    _ => throw new InvalidDataException("unknown entry type " + type),
                };
                Check(rc, "create " + type, path);

                // chown first: it clears setuid/setgid and security.capability.
                Check(LibC.FchownAt(LibC.AT_FDCWD, c.Pointer, e.GetProperty("uid").GetUInt32(), e.GetProperty("gid").GetUInt32(), LibC.AT_SYMLINK_NOFOLLOW), "lchown", path);
                if (type != "symlink")
                {
                    Check(LibC.FchmodAt(LibC.AT_FDCWD, c.Pointer, Convert.ToUInt32(e.GetProperty("mode").GetString(), 8), 0), "chmod", path);
                }

                if (e.TryGetProperty("xattrs", out var xattrs))
                {
                    foreach (var x in xattrs.EnumerateObject().OrderBy(x => x.Name, StringComparer.Ordinal))
                    {
                        using var name = new CPath(Encoding.UTF8.GetBytes(x.Name));
                        var value = Convert.FromBase64String(x.Value.GetString()!);
                        fixed (byte* v = value)
                        {
                            Check(LibC.LSetXattr(c.Pointer, name.Pointer, v, (nuint)value.Length, 0), "setxattr " + x.Name, path);
                        }
                    }
                }
            }

            times.Add((path, e.GetProperty("mtime_ns").GetInt64()));
        }

        var t = stackalloc LibC.Timespec[2];
        for (var i = times.Count - 1; i >= 0; i--)
        {
            var (path, ns) = times[i];
            t[0] = t[1] = new LibC.Timespec { Seconds = Math.DivRem(ns, 1_000_000_000, out var rem) - (rem < 0 ? 1 : 0), Nanoseconds = rem < 0 ? rem + 1_000_000_000 : rem };
            using var c = new CPath(path);
            Check(LibC.UtimensAt(LibC.AT_FDCWD, c.Pointer, t, LibC.AT_SYMLINK_NOFOLLOW), "utimensat", path);
        }
    }

    private static int Link(byte[] from, byte[] to)
    {
        using var f = new CPath(from);
        using var t = new CPath(to);
        return LibC.LinkAt(LibC.AT_FDCWD, f.Pointer, LibC.AT_FDCWD, t.Pointer, 0);
    }

    private static int Symlink(byte[] target, byte* path)
    {
        using var t = new CPath(target);
        return LibC.SymlinkAt(t.Pointer, LibC.AT_FDCWD, path);
    }

    private static int WriteContent(byte[] path, JsonElement spec)
    {
        using var c = new CPath(path);
        var fd = LibC.OpenAt(LibC.AT_FDCWD, c.Pointer, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0x180);
        if (fd < 0)
        {
            return fd;
        }

        using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
        if (spec.TryGetProperty("sparse", out var sparse))
        {
            // Holes stay holes: only the extents are written.
            Check(LibC.Ftruncate(fd, sparse.GetProperty("size").GetInt64()), "ftruncate", path);
            foreach (var extent in sparse.GetProperty("extents").EnumerateArray())
            {
                RandomAccess.Write(handle, Decode(extent.GetProperty("content")), extent.GetProperty("offset").GetInt64());
            }
        }
        else
        {
            RandomAccess.Write(handle, Decode(spec), 0);
        }

        return 0;
    }

    /// <summary>A non-sparse content spec: text, base64, a repeated pattern, or mostly zeros.</summary>
    private static byte[] Decode(JsonElement spec)
    {
        if (spec.TryGetProperty("text", out var text))
        {
            return Encoding.UTF8.GetBytes(text.GetString()!);
        }

        if (spec.TryGetProperty("base64", out var b64))
        {
            return Convert.FromBase64String(b64.GetString()!);
        }

        if (RoundTripJson.Bytes(spec, "repeat") is { } pattern)
        {
            var data = new byte[spec.GetProperty("size").GetInt32()];
            for (var i = 0; i < data.Length; i++)
            {
                data[i] = pattern[i % pattern.Length];
            }

            return data;
        }

        var mostlyZero = spec.GetProperty("mostly_zero");
        var buffer = new byte[mostlyZero.GetProperty("size").GetInt32()];
        foreach (var segment in mostlyZero.GetProperty("segments").EnumerateArray())
        {
            Decode(segment.GetProperty("content")).CopyTo(buffer, segment.GetProperty("offset").GetInt32());
        }

        return buffer;
    }

    private static void Check(int rc, string what, byte[] path)
    {
        if (rc < 0)
        {
            throw new FsException(what, PathBytes.Display(path), Marshal.GetLastPInvokeError());
        }
    }
}
