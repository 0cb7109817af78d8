using System.Text.Json;
using ParallelDiff.Core.Tests.Support;

namespace ParallelDiff.Core.Tests.Vectors;

/// <summary>A vector's merged.json: the kernel's read-only merged view of upper + lowers, the semantic truth.</summary>
public sealed class VectorMergedView
{
    private VectorMergedView(string name, string mount, IReadOnlyList<string> mountOptions, IReadOnlyList<TreeEntry> entries)
    {
        Name = name;
        Mount = mount;
        MountOptions = mountOptions;
        Entries = entries;
    }

    public string Name { get; }

    /// <summary>How the view was mounted, for reading ("overlay ro,lowerdir=upper:lower0").</summary>
    public string Mount { get; }

    public IReadOnlyList<string> MountOptions { get; }

    /// <summary>Every visible name in walk order, the root "." first.</summary>
    public IReadOnlyList<TreeEntry> Entries { get; }

    /// <summary>Reads tests/vectors/NAME/merged.json.</summary>
    public static VectorMergedView Load(string vectorName) =>
        Parse(File.ReadAllBytes(Path.Combine(RepoPaths.Vectors, vectorName, "merged.json")));

    public static VectorMergedView Parse(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        return new VectorMergedView(
            root.GetProperty("name").GetString()!,
            root.GetProperty("mount").GetString()!,
            VectorJson.Strings(root.GetProperty("mount_options")),
            root.GetProperty("entries").EnumerateArray().Select(ParseEntry).ToList());
    }

    private static TreeEntry ParseEntry(JsonElement e) => new()
    {
        Path = VectorJson.RequiredBytes(e, "path"),
        Type = TreeEntryTypeNames.Parse(e.GetProperty("type").GetString()!),
        Mode = VectorJson.Mode(e),
        Uid = e.GetProperty("uid").GetInt64(),
        Gid = e.GetProperty("gid").GetInt64(),
        Mtime = e.GetProperty("mtime").GetInt64(),
        Size = VectorJson.OptionalInt64(e, "size"),
        Sha256 = e.TryGetProperty("sha256", out var sha) ? sha.GetString() : null,
        Target = VectorJson.OptionalBytes(e, "target"),
        Rdev = VectorJson.OptionalRdev(e),
        Capability = e.TryGetProperty("capability", out var cap) ? Convert.FromBase64String(cap.GetString()!) : null,
        LinkGroup = VectorJson.OptionalBytes(e, "link_group"),
    };
}
