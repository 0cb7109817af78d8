using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ParallelDiff.Core.Tests.Support;
using Xunit;

namespace ParallelDiff.Core.Tests.Apply;

/// <summary>
/// The applier against the kernel: each vector's reference layers applied onto its lower stack
/// must give the kernel's merged view (merged.json) with exactly the differences the vectors
/// recorded for containerd's applier (expected.json roundtrip), no more and no fewer. This is
/// the vectors' README "round trip" procedure, with the comparison of generate.py
/// compare_roundtrip.
/// </summary>
public sealed class LayerApplierRoundTripTests : ApplyFixture
{
    [RootTheory]
    [MemberData(nameof(VectorData.All), MemberType = typeof(VectorData))]
    public void Applying_a_vector_layer_onto_its_lowers_should_give_the_merged_view(string vector)
    {
        using var expected = VectorData.Expected(vector);
        using var snapshot = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(RepoPaths.Vectors, vector, "snapshot.json")));
        var merged = JsonNode.Parse(File.ReadAllBytes(Path.Combine(RepoPaths.Vectors, vector, "merged.json")))!["entries"]!.AsArray()
            .Select(e => e!.AsObject()).ToList();
        var checkedAny = false;
        foreach (var which in new[] { "overlay", "walking" })
        {
            var tar = VectorData.ExpectedTar(vector, which);
            if (tar is null)
            {
                continue;
            }

            checkedAny = true;
            var lowers = snapshot.RootElement.GetProperty("lowers");
            var dest = Path.Combine(Dest, which);
            Directory.CreateDirectory(dest);
            MaterializeLowerStack(lowers, dest);
            Core.Apply.LayerApplier.Apply(new MemoryStream(tar), dest, Core.Apply.ApplyOptions.Default);

            var (differences, dirMtimes) = Compare(merged, TreeRecorder.Record(dest));
            var want = expected.RootElement.GetProperty("roundtrip").GetProperty(which);
            Assert.Equal(want.GetProperty("differences").EnumerateArray().Select(d => d.GetString()), differences);
            Assert.Equal(want.GetProperty("dir_mtimes_differ").EnumerateArray().Select(d => d.GetString()), dirMtimes);
        }

        Assert.True(checkedAny || !expected.RootElement.TryGetProperty("entries", out _), "a vector with entries has a layer to check");
    }

    /// <summary>
    /// The lower stack as containerd mounts it: one lower is the directory itself; several are a
    /// read-only overlay of them, copied with cp -a (generate.py apply_layer).
    /// </summary>
    private void MaterializeLowerStack(JsonElement lowers, string dest)
    {
        var count = lowers.GetArrayLength();
        if (count == 1)
        {
            SnapshotMaterializer.Create(dest, lowers[0].GetProperty("entries"));
            return;
        }

        if (count == 0)
        {
            return;
        }

        var dirs = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var dir = Path.Combine(Outside, "..", $"lower{i}-{Path.GetFileName(dest)}");
            Directory.CreateDirectory(dir);
            SnapshotMaterializer.Create(Path.GetFullPath(dir), lowers[i].GetProperty("entries"));
            dirs.Add(Path.GetFullPath(dir));
        }

        var mount = Path.GetFullPath(Path.Combine(Outside, "..", "stack-" + Path.GetFileName(dest)));
        Directory.CreateDirectory(mount);
        Run("mount", "-t", "overlay", "overlay", "-o", "ro,lowerdir=" + string.Join(':', dirs), mount);
        try
        {
            Run("cp", "-a", mount + "/.", dest + "/");
        }
        finally
        {
            Run("umount", mount);
        }
    }

    private static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)}: {err}");
    }

    /// <summary>generate.py compare_roundtrip: every field but the path; dir mtimes apart; the root skipped.</summary>
    private static (List<string> Differences, List<string> DirMtimes) Compare(List<JsonObject> merged, List<JsonObject> applied)
    {
        var m = merged.Where(e => RoundTripJson.Key(e) != ".").ToDictionary(RoundTripJson.Key);
        var a = applied.Where(e => RoundTripJson.Key(e) != ".").ToDictionary(RoundTripJson.Key);
        var differences = new List<string>();
        var dirMtimes = new List<string>();
        foreach (var key in m.Keys.Union(a.Keys).Order(StringComparer.Ordinal))
        {
            if (!m.TryGetValue(key, out var x))
            {
                differences.Add($"{key}: present after applying the layer, absent from the merged view");
                continue;
            }

            if (!a.TryGetValue(key, out var y))
            {
                differences.Add($"{key}: in the merged view ({x["type"]}), absent after applying the layer");
                continue;
            }

            var bothDirs = (string?)x["type"] == "dir" && (string?)y["type"] == "dir";
            foreach (var field in x.Select(p => p.Key).Union(y.Select(p => p.Key)).Order(StringComparer.Ordinal))
            {
                if (field is "path" or "path_b64" || (field == "mtime" && bothDirs) || JsonNode.DeepEquals(x[field], y[field]))
                {
                    continue;
                }

                differences.Add($"{key}: {field} merged={RoundTripJson.Dumps(x[field])} applied={RoundTripJson.Dumps(y[field])}");
            }

            if (bothDirs && !JsonNode.DeepEquals(x["mtime"], y["mtime"]))
            {
                dirMtimes.Add(key);
            }
        }

        return (differences, dirMtimes);
    }
}
