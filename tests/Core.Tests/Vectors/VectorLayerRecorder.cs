using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Tests.Apply;

namespace ParallelDiff.Core.Tests.Vectors;

/// <summary>
/// Describes one real layer directory the way a vector's snapshot.json describes a layer, so that
/// a snapshot the kernel made can become a golden vector (and be checked again against the kernel).
/// Pre-order, names sorted byte-wise; every xattr but trusted.overlay.origin and .uuid, which name
/// this machine's inodes and file system and would differ on every run (no layer carries them).
/// </summary>
public static class VectorLayerRecorder
{
    private const string Metacopy = "trusted.overlay.metacopy";
    private static readonly HashSet<string> MachineBound = ["trusted.overlay.origin", "trusted.overlay.uuid"];

    public static JsonArray Record(string layerDir)
    {
        var fs = LinuxFileSystem.Instance;
        var root = Encoding.UTF8.GetBytes(Path.GetFullPath(layerDir));
        var entries = new JsonArray();
        var firstNameOfInode = new Dictionary<ulong, byte[]>();
        foreach (var walked in TreeRecorder.Walk(fs, root, []))
        {
            var (rel, st) = walked;
            var path = rel.Length == 0 ? root : PathBytes.Join(root, rel);
            var name = rel.Length == 0 ? "."u8.ToArray() : rel;
            var e = new JsonObject();
            RoundTripJson.PutBytes(e, "path", name);

            // The kernel links all whiteouts of a mount to one inode: they are not hard links of each other.
            if (st.IsHardLinked && !st.IsWhiteout)
            {
                if (firstNameOfInode.TryGetValue(st.Inode, out var first))
                {
                    e["type"] = "hardlink";
                    RoundTripJson.PutBytes(e, "target", first);
                    entries.Add(e);
                    continue;
                }

                firstNameOfInode[st.Inode] = name;
            }

            var type = TreeRecorder.TypeName(st);
            e["type"] = type;
            e["mode"] = Convert.ToString(st.Mode, 8).PadLeft(4, '0');
            e["uid"] = st.Uid;
            e["gid"] = st.Gid;
            e["mtime_ns"] = (st.MtimeSeconds * 1_000_000_000L) + st.MtimeNanoseconds;
            var xattrs = Xattrs(fs, path);
            switch (type)
            {
                case "file":
                    var data = ReadAll(fs, path);
                    e["size"] = st.Size;
                    e["sha256"] = Convert.ToHexStringLower(SHA256.HashData(data));

                    // A metacopy file holds no data of its own, only its size: a file with one hole.
                    e["content"] = xattrs.ContainsKey(Metacopy)
                        ? new JsonObject { ["sparse"] = new JsonObject { ["size"] = st.Size, ["extents"] = new JsonArray() } }
                        : new JsonObject { ["base64"] = Convert.ToBase64String(data) };
                    break;
                case "symlink":
                    RoundTripJson.PutBytes(e, "target", fs.ReadLink(path));
                    break;
                case "char" or "block":
                    e["rdev"] = new JsonObject { ["major"] = st.RdevMajor, ["minor"] = st.RdevMinor };
                    break;
            }

            if (xattrs.Count > 0)
            {
                var x = new JsonObject();
                foreach (var (key, value) in xattrs)
                {
                    x[key] = Convert.ToBase64String(value);
                }

                e["xattrs"] = x;
            }

            entries.Add(e);
        }

        return entries;
    }

    private static SortedDictionary<string, byte[]> Xattrs(LinuxFileSystem fs, byte[] path)
    {
        var result = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in fs.ListXattrs(path).Where(n => !MachineBound.Contains(n)))
        {
            result[name] = fs.GetXattr(path, name) ?? [];
        }

        return result;
    }

    private static byte[] ReadAll(LinuxFileSystem fs, byte[] path)
    {
        using var file = new FileStream(fs.OpenRead(path), FileAccess.Read);
        using var copy = new MemoryStream();
        file.CopyTo(copy);
        return copy.ToArray();
    }
}
