using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ParallelDiff.Core.Fs;

namespace ParallelDiff.Core.Tests.Apply;

/// <summary>
/// Describes a tree the way the vectors' merged.json describes the kernel's merged view
/// (materialize.py record_merged): pre-order, names sorted byte-wise, type, mode, owner, mtime
/// seconds, size and sha256 of files, symlink targets, device numbers, the capability, and
/// link_group (the first name of each hard-linked inode).
/// </summary>
public static class TreeRecorder
{
    public static List<JsonObject> Record(string root)
    {
        var fs = LinuxFileSystem.Instance;
        var rootBytes = Encoding.UTF8.GetBytes(root);
        var entries = new List<JsonObject>();
        var byInode = new Dictionary<ulong, List<JsonObject>>();
        foreach (var (rel, st) in Walk(fs, rootBytes, []))
        {
            var path = rel.Length == 0 ? rootBytes : PathBytes.Join(rootBytes, rel);
            var e = new JsonObject();
            RoundTripJson.PutBytes(e, "path", rel.Length == 0 ? "."u8.ToArray() : rel);
            var type = TypeName(st);
            e["type"] = type;
            e["mode"] = Convert.ToString(st.Mode, 8).PadLeft(4, '0');
            e["uid"] = st.Uid;
            e["gid"] = st.Gid;
            e["mtime"] = st.MtimeSeconds;
            switch (type)
            {
                case "file":
                    using (var file = new FileStream(fs.OpenRead(path), FileAccess.Read))
                    {
                        e["size"] = st.Size;
                        e["sha256"] = Convert.ToHexStringLower(SHA256.HashData(file));
                    }

                    break;
                case "symlink":
                    RoundTripJson.PutBytes(e, "target", fs.ReadLink(path));
                    break;
                case "char" or "block" or "whiteout":
                    e["rdev"] = new JsonObject { ["major"] = st.RdevMajor, ["minor"] = st.RdevMinor };
                    break;
            }

            if (fs.GetXattr(path, "security.capability") is { } cap)
            {
                e["capability"] = Convert.ToBase64String(cap);
            }

            if (type != "dir" && st.LinkCount > 1)
            {
                if (!byInode.TryGetValue(st.Inode, out var group))
                {
                    byInode[st.Inode] = group = [];
                }

                group.Add(e);
            }

            entries.Add(e);
        }

        foreach (var group in byInode.Values.Where(g => g.Count > 1))
        {
            var first = group[0];
            foreach (var e in group)
            {
                if (first["path"] is { } p)
                {
                    e["link_group"] = p.GetValue<string>();
                }
                else
                {
                    e["link_group_b64"] = first["path_b64"]!.GetValue<string>();
                }
            }
        }

        return entries;
    }

    /// <summary>Every name under root, root first, pre-order with names sorted byte-wise.</summary>
    public static IEnumerable<(byte[] Rel, FileStatus Status)> Walk(LinuxFileSystem fs, byte[] root, byte[] rel)
    {
        var path = rel.Length == 0 ? root : PathBytes.Join(root, rel);
        if (!fs.TryLstat(path, out var st, out var errno))
        {
            throw new FsException("lstat", PathBytes.Display(path), errno);
        }

        yield return (rel, st);
        if (!st.IsDirectory)
        {
            yield break;
        }

        var names = fs.ReadDirectory(path);
        names.Sort(PathBytes.NameOrder);
        foreach (var name in names)
        {
            foreach (var child in Walk(fs, root, rel.Length == 0 ? name : PathBytes.Join(rel, name)))
            {
                yield return child;
            }
        }
    }

    /// <summary>The vectors' name for the entry's type ("dir", "file", "whiteout", …).</summary>
    public static string TypeName(FileStatus st) => st.Kind switch
    {
        FileKind.Directory => "dir",
        FileKind.Regular => "file",
        FileKind.Symlink => "symlink",
        FileKind.CharDevice => st.IsWhiteout ? "whiteout" : "char",
        FileKind.BlockDevice => "block",
        FileKind.Fifo => "fifo",
        FileKind.Socket => "socket",
        _ => throw new InvalidDataException(st.Kind.ToString()),
    };
}
