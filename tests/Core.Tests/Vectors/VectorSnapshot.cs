using System.Globalization;
using System.Text.Json;
using ParallelDiff.Core.Tests.Support;

namespace ParallelDiff.Core.Tests.Vectors;

/// <summary>A vector's snapshot.json: the lower layers (topmost first) and the upperdir, entry by entry.</summary>
public sealed class VectorSnapshot
{
    public const string Schema = "overlay-diff-vector/1";

    private VectorSnapshot(string name, IReadOnlyList<string> mergedMountOptions, IReadOnlyList<VectorLayer> lowers, VectorLayer upper)
    {
        Name = name;
        MergedMountOptions = mergedMountOptions;
        Lowers = lowers;
        Upper = upper;
    }

    public string Name { get; }

    /// <summary>Extra overlay options the kernel needs to show the merged view (userxattr, redirect_dir=follow, metacopy=on).</summary>
    public IReadOnlyList<string> MergedMountOptions { get; }

    /// <summary>The lower layers, topmost first: Lowers[0] is the layer right under the upper.</summary>
    public IReadOnlyList<VectorLayer> Lowers { get; }

    public VectorLayer Upper { get; }

    /// <summary>Reads tests/vectors/NAME/snapshot.json.</summary>
    public static VectorSnapshot Load(string vectorName) =>
        Parse(File.ReadAllBytes(Path.Combine(RepoPaths.Vectors, vectorName, "snapshot.json")));

    public static VectorSnapshot Parse(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var schema = root.GetProperty("schema").GetString();
        if (schema != Schema)
        {
            throw new FormatException($"snapshot.json schema is \"{schema}\", expected \"{Schema}\"");
        }

        return new VectorSnapshot(
            root.GetProperty("name").GetString()!,
            VectorJson.Strings(root.GetProperty("merged_mount_options")),
            root.GetProperty("lowers").EnumerateArray().Select(ParseLayer).ToList(),
            ParseLayer(root.GetProperty("upper")));
    }

    private static VectorLayer ParseLayer(JsonElement layer) =>
        new(layer.GetProperty("name").GetString()!, layer.GetProperty("entries").EnumerateArray().Select(ParseEntry).ToList());

    private static VectorEntry ParseEntry(JsonElement e)
    {
        var path = VectorJson.RequiredBytes(e, "path");
        var type = TreeEntryTypeNames.Parse(e.GetProperty("type").GetString()!);
        if (type == TreeEntryType.Hardlink)
        {
            return new VectorEntry { Path = path, Type = type, Target = VectorJson.RequiredBytes(e, "target") };
        }

        var xattrs = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        if (e.TryGetProperty("xattrs", out var x))
        {
            foreach (var property in x.EnumerateObject())
            {
                xattrs[property.Name] = Convert.FromBase64String(property.Value.GetString()!);
            }
        }

        return new VectorEntry
        {
            Path = path,
            Type = type,
            Mode = VectorJson.Mode(e),
            Uid = e.GetProperty("uid").GetInt64(),
            Gid = e.GetProperty("gid").GetInt64(),

            // Parsed from the digits: a double would lose the nanoseconds, a long overflows after 2262.
            MtimeNs = Int128.Parse(e.GetProperty("mtime_ns").GetRawText(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
            Size = VectorJson.OptionalInt64(e, "size"),
            Sha256 = e.TryGetProperty("sha256", out var sha) ? sha.GetString() : null,
            Content = e.TryGetProperty("content", out var content) ? VectorContent.Parse(content) : null,
            Target = VectorJson.OptionalBytes(e, "target"),
            Rdev = VectorJson.OptionalRdev(e),
            Xattrs = xattrs,
        };
    }
}
