using System.Text.Json;
using Xunit;

namespace ParallelDiff.Core.Tests.Support;

/// <summary>xunit member data: every golden vector name, and the parsed index.</summary>
public static class VectorData
{
    public static TheoryData<string> All()
    {
        var data = new TheoryData<string>();
        foreach (var name in RepoPaths.VectorNames())
        {
            data.Add(name);
        }

        return data;
    }

    public static JsonDocument Expected(string vector) =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(RepoPaths.Vectors, vector, "expected.json")));

    /// <summary>The bytes of expected-overlay.tar or expected-walking.tar (decompressing .zst ones).</summary>
    public static byte[]? ExpectedTar(string vector, string which)
    {
        var dir = Path.Combine(RepoPaths.Vectors, vector);
        var plain = Path.Combine(dir, $"expected-{which}.tar");
        if (File.Exists(plain))
        {
            return File.ReadAllBytes(plain);
        }

        var zst = plain + ".zst";
        if (!File.Exists(zst))
        {
            return null;
        }

        using var input = File.OpenRead(zst);
        using var z = new ZstdSharp.DecompressionStream(input);
        using var ms = new MemoryStream();
        z.CopyTo(ms);
        return ms.ToArray();
    }
}
