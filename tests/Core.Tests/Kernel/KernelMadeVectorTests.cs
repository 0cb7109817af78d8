using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ParallelDiff.Core.Fs;
using ParallelDiff.Core.Tests.Apply;
using ParallelDiff.Core.Tests.Support;
using ParallelDiff.Core.Tests.Vectors;
using Xunit;

namespace ParallelDiff.Core.Tests.Kernel;

/// <summary>
/// Golden vectors made by the kernel rather than by hand: each is made again here through real
/// overlay mounts, recorded as snapshot.json and merged.json, and compared with the committed
/// files, so a vector cannot drift from what the kernel does. With
/// PARALLELDIFF_RECORD_VECTOR=NAME the recording is written into tests/vectors/NAME instead.
/// Times the kernel sets to "now" are replaced by values derived from the layer and path, as
/// the other vectors' are, so that a recording is the same on every run.
/// </summary>
public sealed class KernelMadeVectorTests
{
    private const string RecordVariable = "PARALLELDIFF_RECORD_VECTOR";
    private const string MetacopyRedirect = "64-metacopy-redirect-through-renamed-dir";
    private const string LowerWrittenDirectly = "written directly into the layer directory (as if extracted from a tar)";

    [RootFact]
    public void Vector_64_should_be_what_the_kernel_makes_of_its_history()
    {
        using var scratch = ScratchDirectory.Create("pd-vector-64-");
        var started = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60;
        string Dir(string name) => Path.Combine(scratch.Path, name);
        var lower0 = NewLayer(Dir("lower0"));
        var lower1 = NewLayer(Dir("lower1"));
        var upper = NewLayer(Dir("upper"));

        // lower0: /0/ü with 248 bytes.
        Posix.Must(Posix.Mkdir(Path.Combine(lower0, "0"), 0x1ED), "mkdir", "lower0/0");
        var data = Enumerable.Range(0, 248).Select(i => (byte)(i + 3)).ToArray();
        var file = Path.Combine(lower0, "0", "ü");
        Posix.Must(Posix.WriteFile(file, data, 0x1A4, truncate: false), "write", file);
        Posix.Must(Posix.Chmod(file, 0x1A4), "chmod", file);
        PinNewTimes(lower0, "lower0", started, nanoseconds: false);

        // lower1: /0 renamed to /etc (a whiteout at 0, etc redirected to "0").
        string[] metacopy = ["metacopy=on"];
        using (var mount = ReadWriteOverlay.Mount([lower0], lower1, Dir("w1"), Dir("m1"), metacopy))
        {
            Posix.Must(Posix.Rename(Path.Combine(mount.MountPoint, "0"), Path.Combine(mount.MountPoint, "etc")), "rename", "/0");
        }

        PinNewTimes(lower1, "lower1", started, nanoseconds: true);

        // upper: /etc/ü chmodded (a metacopy copy-up redirected to "/etc/ü") and linked twice.
        using (var mount = ReadWriteOverlay.Mount([lower1, lower0], upper, Dir("wu"), Dir("mu"), metacopy))
        {
            var merged = Path.Combine(mount.MountPoint, "etc", "ü");
            Posix.Must(Posix.Chmod(merged, 0x180), "chmod", "/etc/ü");
            Posix.Must(Posix.Link(merged, Path.Combine(mount.MountPoint, "etc", "link")), "link", "/etc/link");
            Posix.Must(Posix.Link(merged, Path.Combine(mount.MountPoint, "ü-hard")), "link", "/ü-hard");
        }

        PinNewTimes(upper, "upper", started, nanoseconds: true);
        var upperFile = PathBytes.FromString(Path.Combine(upper, "etc", "ü"));
        Assert.True(LinuxFileSystem.Instance.GetXattr(upperFile, "trusted.overlay.metacopy") is not null, "the kernel copied up metadata only");
        Assert.Equal("/etc/ü", Encoding.UTF8.GetString(LinuxFileSystem.Instance.GetXattr(upperFile, "trusted.overlay.redirect") ?? []));

        var snapshot = new JsonObject
        {
            ["schema"] = VectorSnapshot.Schema,
            ["name"] = MetacopyRedirect,
            ["description"] = "A metacopy file whose absolute redirect (/etc/ü) crosses a lower directory renamed from /0: "
                + "the kernel finds its data by looking the path up component by component, so /etc in lower1 sends the lookup to /0/ü in lower0. "
                + "Made by the kernel (KernelMadeVectorTests).",
            ["cases"] = new JsonArray("issue 12 §2"),
            ["merged_mount_options"] = new JsonArray("metacopy=on"),
            ["history"] = new JsonArray(
                History("lower0", LowerWrittenDirectly, "mkdir 0", "write 0/ü (248 bytes: 3, 4, 5, …)"),
                History("lower1", Through("lower0", "lower1"), "mv 0 etc"),
                History("upper", Through("lower1:lower0", "upper"), "chmod 0600 etc/ü", "ln etc/ü etc/link", "ln etc/ü ü-hard")),
            ["lowers"] = new JsonArray(Layer("lower1", lower1), Layer("lower0", lower0)),
            ["upper"] = Layer("upper", upper),
        };

        JsonObject mergedView;
        using (var truth = OverlayMount.ReadOnly([upper, lower1, lower0], metacopy))
        {
            Assert.Equal(data, File.ReadAllBytes(Path.Combine(truth.MountPoint, "etc", "ü")));
            mergedView = new JsonObject
            {
                ["schema"] = VectorSnapshot.Schema,
                ["name"] = MetacopyRedirect,
                ["mount"] = "overlay ro,lowerdir=upper:lower1:lower0,metacopy=on",
                ["mount_options"] = new JsonArray("metacopy=on"),
                ["entries"] = new JsonArray([.. TreeRecorder.Record(truth.MountPoint)]),
            };
        }

        var dir = Path.Combine(RepoPaths.Vectors, MetacopyRedirect);
        if (Environment.GetEnvironmentVariable(RecordVariable) == MetacopyRedirect)
        {
            Directory.CreateDirectory(dir);
            VectorFileWriter.Write(Path.Combine(dir, "snapshot.json"), snapshot);
            VectorFileWriter.Write(Path.Combine(dir, "merged.json"), mergedView);
            VectorFileWriter.Write(Path.Combine(dir, "expected.json"), NotRunByBuildKit());
        }

        AssertSameAs(snapshot, Path.Combine(dir, "snapshot.json"), "lowers", "upper");
        AssertSameAs(mergedView, Path.Combine(dir, "merged.json"), "entries");
    }

    private static string NewLayer(string path)
    {
        Directory.CreateDirectory(path);
        Posix.Must(Posix.Chmod(path, 0x1ED), "chmod", path);
        return path;
    }

    /// <summary>
    /// Every time in the layer later than <paramref name="since"/> (set by this run) becomes one
    /// derived from the layer and the path; times the kernel copied from a lower stay.
    /// </summary>
    private static void PinNewTimes(string layer, string layerName, long since, bool nanoseconds)
    {
        var fs = LinuxFileSystem.Instance;
        var root = PathBytes.FromString(layer);
        foreach (var (rel, st) in TreeRecorder.Walk(fs, root, []).ToList())
        {
            if (st.MtimeSeconds < since)
            {
                continue;
            }

            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(layerName + "/" + PathBytes.Display(rel)));
            var seconds = 1_500_000_000L + (BitConverter.ToUInt32(hash, 0) % 200_000_000);
            var ns = nanoseconds ? BitConverter.ToUInt32(hash, 4) % 1_000_000_000 : 0;
            var path = rel.Length == 0 ? layer : Path.Combine(layer, PathBytes.Display(rel));
            Posix.Must(Posix.SetTimes(path, seconds, ns), "utimensat", path);
        }
    }

    private static string Through(string lowers, string upper) =>
        $"changes made through a kernel overlay mount: lowerdir={lowers},upperdir={upper},workdir=<tmp>,index=off,metacopy=on";

    private static JsonObject History(string layer, string madeBy, params string[] ops) => new()
    {
        ["layer"] = layer,
        ["made_by"] = madeBy,
        ["ops"] = new JsonArray([.. ops.Select(o => JsonValue.Create(o))]),
    };

    private static JsonObject Layer(string name, string dir) => new()
    {
        ["name"] = name,
        ["entries"] = VectorLayerRecorder.Record(dir),
    };

    private static JsonObject NotRunByBuildKit() => new()
    {
        ["schema"] = VectorSnapshot.Schema,
        ["name"] = MetacopyRedirect,
        ["buildkit"] = "unsupported",
        ["producer"] = "none: BuildKit was not run on this vector; its differs cannot read metacopy uppers (see 41-metacopy-chmod)",
        ["overlay"] = new JsonObject { ["status"] = "not run" },
        ["walking"] = new JsonObject { ["status"] = "not run" },
        ["overlay_equals_walking"] = null,
        ["roundtrip"] = new JsonObject(),
        ["notes"] = new JsonArray("merged.json is the kernel's view: a correct layer gives etc/ü mode 0600 with lower0's 248 bytes, and etc/link and ü-hard as hard links of it."),
    };

    private static void AssertSameAs(JsonObject made, string committedFile, params string[] keys)
    {
        Assert.True(File.Exists(committedFile), $"{committedFile}: missing; write it with {RecordVariable}={MetacopyRedirect}");
        var committed = JsonNode.Parse(File.ReadAllBytes(committedFile))!.AsObject();
        foreach (var key in keys)
        {
            Assert.True(
                JsonNode.DeepEquals(made[key], committed[key]),
                $"{committedFile}: \"{key}\" is not what the kernel makes now:\n{RoundTripJson.Dumps(made[key])}\ncommitted:\n{RoundTripJson.Dumps(committed[key])}");
        }
    }
}
